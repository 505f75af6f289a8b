package dev.orca.agent;

import dev.orca.schemas.EnvironmentFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's settings from a file, as {@code docker run --env-file} reads one: {@code
 * NAME=value} per line, taken literally (no quotes, no variables), blank lines and lines starting
 * with {@code #} skipped. The variables of the process's own environment win over the file's.
 * The file holds the agent's password: one that others may read is used, with a warning.
 */
final class EnvFile {

  private static final Logger log = LoggerFactory.getLogger(EnvFile.class);

  private EnvFile() {}

  /** The settings of {@code args} ({@code --env-file PATH}, or nothing) under the process's environment. */
  static Map<String, String> environment(String[] args, Map<String, String> processEnvironment) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--env-file") && i + 1 < args.length) {
        env.putAll(read(Path.of(args[++i])));
      } else if (args[i].startsWith("--env-file=")) {
        env.putAll(read(Path.of(args[i].substring("--env-file=".length()))));
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i] + " (the agent takes --env-file PATH and --check,"
            + " and its settings from ORCA_* variables)");
      }
    }
    env.putAll(processEnvironment);
    return env;
  }

  static Map<String, String> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent's settings from " + file, e);
    }
    warnIfShared(file);
    return EnvironmentFile.parse(text, file.toString());
  }

  private static void warnIfShared(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("{} holds the agent's password and others may read it: chmod 600 {}", file, file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system: its own access rules apply.
    }
  }
}
