package dev.orca.agent.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Docker engine over docker-java: ping, list containers by label, remove by label. */
final class DockerEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);
  static final String SERVICE_LABEL = "com.docker.compose.service";
  static final String PROJECT_LABEL = "com.docker.compose.project";
  static final String CONFIG_HASH_LABEL = "com.docker.compose.config-hash";

  private static final Duration CLOCK_OFFSET_REFRESH = Duration.ofMinutes(10);

  private final DockerClient client;
  private volatile ClockOffset clockOffset;

  DockerEngine(String dockerHost) {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(dockerHost).build();
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofSeconds(60))
        .build();
    this.client = DockerClientImpl.getInstance(config, http);
  }

  /** The engine's version when it answers a ping, else empty. */
  Optional<String> version() {
    try {
      client.pingCmd().exec();
      return Optional.ofNullable(client.versionCmd().exec().getVersion());
    } catch (RuntimeException e) {
      log.debug("Docker engine did not answer", e);
      return Optional.empty();
    }
  }

  /** Every container (running or not) carrying all of {@code labels}. */
  List<Container> containers(Map<String, String> labels) {
    List<Container> result = new ArrayList<>();
    for (com.github.dockerjava.api.model.Container c
        : client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
      result.add(toContainer(c));
    }
    result.sort((a, b) -> a.name().compareTo(b.name()));
    return result;
  }

  /** Application id label of every managed container, paired with the container. */
  List<Map.Entry<String, Container>> managedContainers() {
    List<Map.Entry<String, Container>> result = new ArrayList<>();
    for (com.github.dockerjava.api.model.Container c : client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(Names.MANAGED_LABEL, Names.MANAGED_VALUE)).exec()) {
      String app = c.getLabels() == null ? null : c.getLabels().get(Names.APPLICATION_LABEL);
      if (app != null) {
        result.add(Map.entry(app, toContainer(c)));
      }
    }
    return result;
  }

  /**
   * How far the engine's clock is ahead of this host's (negative when behind), read from its
   * {@code SystemTime} at most every {@link #CLOCK_OFFSET_REFRESH} (clocks drift slowly, and
   * {@code /info} is one of the engine's heavier calls); zero when the engine does not say. An
   * engine on another host may keep another time, and container start times are in its time.
   */
  Duration clockOffset() {
    ClockOffset known = clockOffset;
    Instant before = Instant.now();
    if (known != null && before.isBefore(known.readAt().plus(CLOCK_OFFSET_REFRESH))) {
      return known.offset();
    }
    try {
      String systemTime = client.infoCmd().exec().getSystemTime();
      Instant after = Instant.now();
      if (systemTime == null) {
        return Duration.ZERO;
      }
      Instant local = before.plus(Duration.between(before, after).dividedBy(2));
      Duration offset = Duration.between(local, Instant.parse(systemTime));
      clockOffset = new ClockOffset(offset, after);
      return offset;
    } catch (RuntimeException e) {
      log.debug("cannot read the engine's time: {}", e.toString());
      return Duration.ZERO;
    }
  }

  /** The engine's clock offset and when it was read. */
  private record ClockOffset(Duration offset, Instant readAt) {}

  /**
   * When the engine last started the container (its {@code State.StartedAt}); empty when it is
   * gone or the engine does not say.
   */
  Optional<Instant> startedAt(String container) {
    try {
      var state = client.inspectContainerCmd(container).exec().getState();
      String started = state == null ? null : state.getStartedAt();
      return started == null || started.startsWith("0001-") ? Optional.empty() : Optional.of(Instant.parse(started));
    } catch (NotFoundException | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * What a container that stopped or turned unhealthy left to say: its exit code (when it exited)
   * and its last {@code lines} log lines, each bounded; empty parts when the engine cannot tell.
   */
  ContainerEnd end(String container, int lines) {
    Long exitCode = null;
    List<String> tail = new ArrayList<>();
    try {
      var state = client.inspectContainerCmd(container).exec().getState();
      exitCode = state == null ? null : state.getExitCodeLong();
      client.logContainerCmd(container).withStdOut(true).withStdErr(true).withTail(lines)
          .exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
              String text = new String(frame.getPayload(), StandardCharsets.UTF_8).strip();
              if (!text.isEmpty()) {
                tail.add(text.length() > 300 ? text.substring(0, 300) + "…" : text);
              }
            }
          }).awaitCompletion(5, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      log.debug("cannot read how container {} ended: {}", container, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new ContainerEnd(exitCode, List.copyOf(tail));
  }

  /** A container's exit code (null when unknown or still running) and its last log lines. */
  record ContainerEnd(Long exitCode, List<String> lastLines) {}

  /** The id of the image {@code reference} names on this host now; empty when it has none. */
  Optional<String> imageId(String reference) {
    try {
      return Optional.ofNullable(client.inspectImageCmd(reference).exec().getId());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Per container of the application: its service, the image reference it was created from and
   * the id of the image it runs.
   */
  List<ImageUse> imagesOf(String applicationId) {
    List<ImageUse> uses = new ArrayList<>();
    for (com.github.dockerjava.api.model.Container c : client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(Names.APPLICATION_LABEL, applicationId)).exec()) {
      try {
        var inspected = client.inspectContainerCmd(c.getId()).exec();
        String reference = inspected.getConfig() == null ? null : inspected.getConfig().getImage();
        Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
        if (reference != null && inspected.getImageId() != null) {
          uses.add(new ImageUse(labels.getOrDefault(SERVICE_LABEL, c.getId()), reference, inspected.getImageId()));
        }
      } catch (NotFoundException e) {
        log.debug("container {} gone while its image was read", c.getId());
      }
    }
    uses.sort((a, b) -> a.service().compareTo(b.service()));
    return uses;
  }

  /** A service's container: the image reference it was created from and the id of the image it runs. */
  record ImageUse(String service, String reference, String imageId) {}

  /** Ids of the images every container on this host (running or not) was created from. */
  java.util.Set<String> imagesInUse() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (com.github.dockerjava.api.model.Container c : client.listContainersCmd().withShowAll(true).exec()) {
      if (c.getImageId() != null) {
        ids.add(c.getImageId());
      }
    }
    return ids;
  }

  /**
   * Removes an image by id when no tag names it any more (a dangling image: the one a moved tag
   * left behind); an image still tagged is someone's and is kept. True when removed or gone,
   * false when kept or the engine refused (a container uses it).
   */
  boolean removeDanglingImage(String imageId) {
    try {
      List<String> tags = client.inspectImageCmd(imageId).exec().getRepoTags();
      if (tags != null && !tags.isEmpty()) {
        log.info("Image {} kept: still tagged {}", imageId, tags);
        return false;
      }
      client.removeImageCmd(imageId).withForce(false).exec();
      return true;
    } catch (NotFoundException e) {
      return true;
    } catch (RuntimeException e) {
      log.info("Image {} not removed: {}", imageId, e.getMessage());
      return false;
    }
  }

  /** Follows the engine's events of managed containers until closed; see {@link ContainerEvents}. */
  java.io.Closeable watch(java.util.function.Consumer<String> changed) {
    return new ContainerEvents(client, changed);
  }

  /** Force-removes the application's containers, then the networks compose made for the project. */
  void removeStack(String applicationId, String project) {
    for (com.github.dockerjava.api.model.Container c : client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(Names.APPLICATION_LABEL, applicationId)).exec()) {
      try {
        client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(false).exec();
      } catch (NotFoundException e) {
        log.debug("container {} already gone", c.getId());
      }
    }
    List<Network> networks = new ArrayList<>(client.listNetworksCmd()
        .withFilter("label", List.of(PROJECT_LABEL + "=" + project)).exec());
    for (Network n : client.listNetworksCmd().withNameFilter(project + "_default").exec()) {
      if ((project + "_default").equals(n.getName()) && networks.stream().noneMatch(x -> x.getId().equals(n.getId()))) {
        networks.add(n);
      }
    }
    for (Network n : networks) {
      try {
        client.removeNetworkCmd(n.getId()).exec();
      } catch (NotFoundException e) {
        log.debug("network {} already gone", n.getName());
      } catch (RuntimeException e) {
        log.warn("Cannot remove network {} of project {}: {}", n.getName(), project, e.getMessage());
      }
    }
  }

  private static Container toContainer(com.github.dockerjava.api.model.Container c) {
    String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
    Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
    return new Container(name, labels.getOrDefault(SERVICE_LABEL, name), c.getState(), healthOf(c.getStatus()),
        c.getImage(), labels.get(CONFIG_HASH_LABEL), c.getImageId());
  }

  /** The list API only shows health inside the status text, e.g. "Up 3 seconds (health: starting)". */
  static String healthOf(String status) {
    if (status == null) {
      return null;
    }
    if (status.contains("(health: starting)")) {
      return "starting";
    }
    if (status.contains("(unhealthy)")) {
      return "unhealthy";
    }
    if (status.contains("(healthy)")) {
      return "healthy";
    }
    return null;
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      log.debug("closing the docker client", e);
    }
  }
}
