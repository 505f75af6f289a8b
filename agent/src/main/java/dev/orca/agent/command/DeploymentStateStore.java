package dev.orca.agent.command;

import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.compose.Drift;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last deployment the agent completed per application ({@code .orca-state} in the
 * application's directory), so a repeated or older command stays a no-op across restarts, and,
 * when it succeeded, what it left running (the baseline drift is measured against) and whether
 * the application asked for self-heal. Reads are served from memory after the first (the health
 * monitor asks for every application at each look), checked against the file still existing;
 * this store is the file's only writer.
 */
public final class DeploymentStateStore {

  static final String FILE = DeploymentsDir.STATE_FILE;
  private static final String SERVICE = "service.";
  private static final String IMAGE_ID = "imageId.";

  private final DeploymentsDir dirs;
  private final Map<String, Optional<Applied>> cache = new ConcurrentHashMap<>();

  public DeploymentStateStore(DeploymentsDir dirs) {
    this.dirs = dirs;
  }

  public Optional<Applied> read(String applicationId) {
    Optional<Applied> known = cache.computeIfAbsent(applicationId, this::load);
    // The runtime deletes the application's directory on removal, even one it then reports as
    // failed (too late): a remembered state whose file is gone is gone too.
    if (known.isPresent() && !Files.exists(dirs.application(applicationId).resolve(FILE))) {
      cache.remove(applicationId, known);
      return Optional.empty();
    }
    return known;
  }

  private Optional<Applied> load(String applicationId) {
    Path file = dirs.application(applicationId).resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Properties props = new Properties();
      props.load(new StringReader(Files.readString(file)));
      Map<String, Drift.Expected> baseline = null;
      if (Boolean.parseBoolean(props.getProperty("succeeded", "false"))) {
        baseline = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
          if (key.startsWith(SERVICE)) {
            String[] hashAndImage = props.getProperty(key).split(" ", 2);
            String service = key.substring(SERVICE.length());
            baseline.put(service, new Drift.Expected(
                hashAndImage.length > 1 && !hashAndImage[1].isEmpty() ? hashAndImage[1] : null,
                hashAndImage[0].isEmpty() ? null : hashAndImage[0], props.getProperty(IMAGE_ID + service)));
          }
        }
      }
      return Optional.of(new Applied(props.getProperty("deploymentId"),
          Long.parseLong(props.getProperty("generation", "-1")), props.getProperty("project"),
          Boolean.parseBoolean(props.getProperty("selfHeal", "false")), baseline,
          integer(props.getProperty("imagePollSeconds"))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Integer integer(String value) {
    return value == null || value.isBlank() ? null : Integer.valueOf(value);
  }

  void write(String applicationId, Applied applied) {
    Properties props = new Properties();
    props.setProperty("deploymentId", applied.deploymentId());
    props.setProperty("generation", Long.toString(applied.generation()));
    if (applied.project() != null) {
      props.setProperty("project", applied.project());
    }
    props.setProperty("selfHeal", Boolean.toString(applied.selfHeal()));
    if (applied.imagePollSeconds() != null) {
      props.setProperty("imagePollSeconds", applied.imagePollSeconds().toString());
    }
    props.setProperty("succeeded", Boolean.toString(applied.baseline() != null));
    if (applied.baseline() != null) {
      applied.baseline().forEach((service, expected) -> props.setProperty(SERVICE + service,
          (expected.configHash() == null ? "" : expected.configHash()) + " "
              + (expected.image() == null ? "" : expected.image())));
      applied.baseline().forEach((service, expected) -> {
        if (expected.imageId() != null) {
          props.setProperty(IMAGE_ID + service, expected.imageId());
        }
      });
    }
    StringWriter out = new StringWriter();
    try {
      props.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    dirs.writeSecret(applicationId, FILE, out.toString());
    cache.put(applicationId, Optional.of(applied));
  }

  /** After a removal: the runtime normally deleted the directory already. */
  void clear(String applicationId) {
    dirs.delete(applicationId, FILE);
    cache.remove(applicationId);
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

  /**
   * The last completed deployment; {@code baseline} is what it left running per service when it
   * succeeded, null when it failed (nothing to measure drift against then); {@code imagePollSeconds}
   * how often its images are checked for updates (null: never).
   */
  public record Applied(String deploymentId, long generation, String project, boolean selfHeal,
      Map<String, Drift.Expected> baseline, Integer imagePollSeconds) {

    Applied(String deploymentId, long generation) {
      this(deploymentId, generation, null, false, null, null);
    }

    Applied(String deploymentId, long generation, String project, boolean selfHeal,
        Map<String, Drift.Expected> baseline) {
      this(deploymentId, generation, project, selfHeal, baseline, null);
    }
  }
}
