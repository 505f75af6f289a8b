package dev.orca.testsupport;

import java.io.IOException;
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
