package dev.orca.agent.compose;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes what a test deployed, by label, with the docker CLI (independent of the code under test).
 * Best effort: for @AfterEach only, never for assertions (use {@link DockerCli#lines} there).
 */
public final class DockerCleanup {

  private DockerCleanup() {}

  public static void removeApplication(String applicationId, String project) {
    List<String> containers = DockerCli.linesOrEmpty("docker", "ps", "-aq", "--filter",
        "label=" + Names.APPLICATION_LABEL + "=" + applicationId);
    if (!containers.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
      rm.addAll(containers);
      DockerCli.linesOrEmpty(rm.toArray(String[]::new));
    }
    List<String> networks = DockerCli.linesOrEmpty("docker", "network", "ls", "-q", "--filter",
        "label=com.docker.compose.project=" + project);
    for (String network : networks) {
      DockerCli.linesOrEmpty("docker", "network", "rm", network);
    }
  }
}
