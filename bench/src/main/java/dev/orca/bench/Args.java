package dev.orca.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one bench: {@code --name value} pairs and bare flags. An option the bench does
 * not know, a value missing or given twice fails with {@link IllegalArgumentException}, so a typo
 * such as {@code --conut} never runs a long bench with the defaults.
 */
final class Args {

  private final Map<String, String> values;
  private final Set<String> flags;

  private Args(Map<String, String> values, Set<String> flags) {
    this.values = values;
    this.flags = flags;
  }

  /** {@code valued} take the next argument as their value; {@code flagNames} stand alone. */
  static Args parse(String[] args, Set<String> valued, Set<String> flagNames) {
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (flagNames.contains(name)) {
        flags.add(name);
      } else if (valued.contains(name)) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        if (values.put(name, args[++i]) != null) {
          throw new IllegalArgumentException(name + " is given twice");
        }
      } else {
        throw new IllegalArgumentException("unknown option " + name + " (this bench takes "
            + String.join(", ", sorted(valued, flagNames)) + ")");
      }
    }
    return new Args(values, flags);
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** A whole number of at least {@code min}, or {@code fallback} when the option is absent. */
  int integer(String name, int fallback, int min) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
    }
    if (parsed < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", not " + parsed);
    }
    return parsed;
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  private static List<String> sorted(Set<String> valued, Set<String> flagNames) {
    List<String> all = new ArrayList<>(valued);
    all.addAll(flagNames);
    all.sort(null);
    return all;
  }
}
