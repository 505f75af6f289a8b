package dev.orca.agent.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Removes what a test deployed, by label, with the docker CLI (independent of the code under test). */
public final class DockerCleanup {

  private DockerCleanup() {}

  public static void removeApplication(String applicationId, String project) {
    List<String> containers = lines("docker", "ps", "-aq", "--filter", "label=" + Names.APPLICATION_LABEL + "=" + applicationId);
    if (!containers.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
      rm.addAll(containers);
      lines(rm.toArray(String[]::new));
    }
    List<String> networks = lines("docker", "network", "ls", "-q", "--filter", "label=com.docker.compose.project=" + project);
    for (String network : networks) {
      lines("docker", "network", "rm", network);
    }
  }

  /** Output lines of a docker CLI call (empty on failure). */
  public static List<String> lines(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
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
}
