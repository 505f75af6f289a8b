package dev.orca.agent.compose;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of {@code docker compose version --short} (v2, {@code 2.27.0} or
 * {@code v2.27.0}) and {@code docker-compose version --short} (v1, {@code 1.29.2}) into the
 * version without its leading {@code v}, so both look alike on the dashboard.
 */
final class ComposeVersion {

  /** A whole line: major.minor, optional patch, optional pre-release or build suffix. */
  private static final Pattern VERSION =
      Pattern.compile("v?(\\d+\\.\\d+(?:\\.\\d+)?(?:[-+][0-9A-Za-z.+-]*)?)");

  private ComposeVersion() {}

  /**
   * The version in {@code output}, or empty when no line is one. stderr is part of the output and
   * v1 can print Python warnings before the version, so the last version-shaped line counts.
   */
  static Optional<String> parse(String output) {
    if (output == null) {
      return Optional.empty();
    }
    List<String> lines = output.lines().map(String::strip).toList();
    for (int i = lines.size() - 1; i >= 0; i--) {
      Matcher m = VERSION.matcher(lines.get(i));
      if (m.matches()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}
