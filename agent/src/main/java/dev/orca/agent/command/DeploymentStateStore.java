package dev.orca.agent.command;

import dev.orca.agent.compose.DeploymentsDir;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The last deployment the agent completed per application ({@code .orca-state} in the
 * application's directory), so a repeated or older command stays a no-op across restarts.
 */
final class DeploymentStateStore {

  static final String FILE = DeploymentsDir.STATE_FILE;

  private final DeploymentsDir dirs;

  DeploymentStateStore(DeploymentsDir dirs) {
    this.dirs = dirs;
  }

  Optional<Applied> read(String applicationId) {
    Path file = dirs.application(applicationId).resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Properties props = new Properties();
      props.load(new StringReader(Files.readString(file)));
      return Optional.of(new Applied(props.getProperty("deploymentId"),
          Long.parseLong(props.getProperty("generation", "-1"))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  void write(String applicationId, Applied applied) {
    dirs.writeSecret(applicationId, FILE,
        "deploymentId=" + applied.deploymentId() + "\ngeneration=" + applied.generation() + "\n");
  }

  /** After a removal: the runtime normally deleted the directory already. */
  void clear(String applicationId) {
    dirs.delete(applicationId, FILE);
    Path dir = dirs.application(applicationId);
    try {
      if (Files.isDirectory(dir)) {
        try (var children = Files.list(dir)) {
          if (children.findAny().isEmpty()) {
            Files.delete(dir);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + dir, e);
    }
  }

  record Applied(String deploymentId, long generation) {}
}
