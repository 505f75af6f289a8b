package dev.orca.schemas;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An environment file as {@code docker run --env-file} reads one, and as an agent's connection
 * settings are written: {@code NAME=value} per line, the value taken literally (no quotes, no
 * variables), blank lines and lines starting with {@code #} skipped. One parser for the agent
 * reading its file and for everything that reads a connection's {@code environmentFile}.
 */
public final class EnvironmentFile {

  private EnvironmentFile() {}

  /** The variables of {@code text}, in their order; a later line wins over an earlier one of the same name. */
  public static Map<String, String> parse(String text) {
    return parse(text, "the environment file");
  }

  /** As {@link #parse(String)}; {@code source} names the text in the error a line that is not {@code NAME=value} gets. */
  public static Map<String, String> parse(String text, String source) {
    Map<String, String> values = new LinkedHashMap<>();
    int number = 0;
    for (String line : text.split("\r?\n", -1)) {
      number++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 1 || line.substring(0, equals).isBlank()) {
        throw new IllegalArgumentException(source + " line " + number + " is not NAME=value");
      }
      values.put(line.substring(0, equals).strip(), line.substring(equals + 1));
    }
    return values;
  }
}
