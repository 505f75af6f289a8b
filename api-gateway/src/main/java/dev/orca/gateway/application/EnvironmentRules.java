package dev.orca.gateway.application;

import dev.orca.gateway.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an application's environment may hold, and its {@code .env} form: one {@code NAME=value}
 * line per variable, names sorted, which is what is sealed for the agent. Error messages name
 * variables, never values: a value may be a password.
 */
final class EnvironmentRules {

  static final int MAX_VARIABLES = 200;
  /** Of the whole {@code .env}, in UTF-8 bytes. */
  static final int MAX_BYTES = 64 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int MAX_SHOWN_NAME = 64;

  private EnvironmentRules() {}

  /** The {@code .env} text of a PUT body's variables (empty for none), or a 400 saying what is wrong. */
  static String dotEnv(Map<String, String> variables) {
    if (variables == null) {
      throw ApiException.badRequest("variables is required (an object of NAME: value; {} removes every variable)");
    }
    if (variables.size() > MAX_VARIABLES) {
      throw ApiException.badRequest("too many variables: " + variables.size() + " (at most " + MAX_VARIABLES + ")");
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> variable : new TreeMap<>(variables).entrySet()) {
      String name = variable.getKey();
      if (!NAME.matcher(name).matches()) {
        throw ApiException.badRequest("invalid variable name '" + shown(name)
            + "': use letters, digits and '_', not starting with a digit");
      }
      String value = variable.getValue();
      if (value == null) {
        throw ApiException.badRequest("variable " + name + " has no value (use \"\" for an empty one)");
      }
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw ApiException.badRequest("the value of " + name + " must be a single line");
      }
      out.append(name).append('=').append(value).append('\n');
    }
    String text = out.toString();
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw ApiException.badRequest("the variables are too large: " + bytes + " bytes as a .env file (at most "
          + MAX_BYTES + ")");
    }
    return text;
  }

  /** The names of a {@code .env} this class wrote, in order. */
  static List<String> names(String dotEnv) {
    List<String> names = new ArrayList<>();
    for (String line : dotEnv.split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        names.add(line.substring(0, equals));
      }
    }
    return names;
  }

  /** A refused name as the message shows it: bounded, control characters replaced. */
  private static String shown(String name) {
    String bounded = name.length() > MAX_SHOWN_NAME ? name.substring(0, MAX_SHOWN_NAME) + "…" : name;
    return bounded.replaceAll("\\p{Cntrl}", "?");
  }
}
