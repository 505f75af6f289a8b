package dev.orca.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Whether a real Docker daemon answers. Tests that need one call {@link #require()}: they are
 * skipped on a developer machine without a daemon, and fail under CI ({@code CI=true}), where
 * the daemon is part of the test set-up.
 */
public final class DockerDaemon {

  /** The local image the Docker tests deploy, built by scripts/test-image.sh. */
  public static final String TEST_IMAGE = "orca-test/busybox:1";

  private static Boolean available;

  private DockerDaemon() {}

  public static synchronized boolean available() {
    if (available == null) {
      available = run("docker", "info") && run("docker", "image", "inspect", TEST_IMAGE);
    }
    return available;
  }

  public static void require() {
    if (available()) {
      return;
    }
    String why = "no Docker daemon with image " + TEST_IMAGE
        + " (start dockerd and run scripts/test-image.sh)";
    Missing.tool(why, "the Docker tests");
  }

  /**
   * Removes the compose stacks whose project directory lies under {@code dir} (a test's own
   * deployments, by compose's {@code com.docker.compose.project.working_dir} label) and their
   * networks: stacks a test leaves running would otherwise use up the daemon's ~30 default
   * network address pools for the tests after it. Nothing else on the daemon is touched.
   */
  public static void removeStacksUnder(Path dir) {
    if (!available()) {
      return;
    }
    String prefix = dir.toAbsolutePath().normalize().toString();
    Set<String> networks = new TreeSet<>();
    for (String line : output("docker", "ps", "-a", "--filter", "label=managed_by=orca-cd", "--format",
        "{{.ID}} {{.Label \"com.docker.compose.project.working_dir\"}} {{.Label \"com.docker.compose.project\"}}")) {
      String[] parts = line.split(" ", 3);
      if (parts.length == 3 && parts[1].startsWith(prefix)) {
        run("docker", "rm", "-f", parts[0]);
        networks.add(parts[2] + "_default");
      }
    }
    networks.forEach(network -> run("docker", "network", "rm", network));
  }

  private static List<String> output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
