package dev.orca.agent.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a docker CLI command for a test, independently of the code under test. Output goes to a
 * temp file so a hung docker cannot block the read; the wait has a deadline. {@link #lines} is for
 * assertions and throws when docker fails or hangs; {@link #linesOrEmpty} is for best-effort cleanup.
 */
public final class DockerCli {

  private static final long TIMEOUT_SECONDS = 30;

  private DockerCli() {}

  /** Non-blank output lines; throws unless the command exits 0 within the timeout. */
  public static List<String> lines(String... command) {
    Path output = null;
    try {
      output = Files.createTempFile("docker-cli", ".out");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + "s");
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }

  /**
   * The last line {@code <composeCommand> version --short} prints, without a leading {@code v}:
   * the version the agent should report, asked of the host without the agent's code.
   */
  public static String composeVersion(String composeCommand) {
    List<String> command = new ArrayList<>(List.of(composeCommand.split(" ")));
    command.addAll(List.of("version", "--short"));
    List<String> printed = lines(command.toArray(String[]::new));
    return printed.get(printed.size() - 1).strip().replaceFirst("^v", "");
  }

  /** Like {@link #lines}, but empty when the command fails: only for cleanup that must not mask a test's outcome. */
  public static List<String> linesOrEmpty(String... command) {
    try {
      return lines(command);
    } catch (IllegalStateException e) {
      return List.of();
    }
  }
}
