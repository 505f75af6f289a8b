package dev.orca.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker in this JVM, in KRaft combined mode (broker and controller, node 1),
 * listening on 127.0.0.1 only. Its log directory is formatted once, so topics, records, committed
 * offsets and the cluster id survive a restart on the same directory. Single node: replication 1.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final String clusterId;

  private EmbeddedBroker(KafkaRaftServer server, String bootstrapServers, String clusterId) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
  }

  /**
   * Starts a broker on {@code logDir} (formatted on first use) and returns once an admin client
   * can describe the cluster, or fails after {@code deadline}.
   */
  public static EmbeddedBroker start(Path logDir, int port, int controllerPort, Duration deadline) {
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka log directory " + logDir, e);
    }
    Properties props = serverProperties(logDir, port, controllerPort);
    KafkaConfig config = KafkaConfig.fromProps(props);
    String clusterId = formatIfNeeded(logDir);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = bootstrapServers(port);
    try {
      server.startup();
      awaitReady(bootstrap, deadline);
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw new IllegalStateException("embedded Kafka broker did not start on " + bootstrap + ": " + e.getMessage(), e);
    }
    return new EmbeddedBroker(server, bootstrap, clusterId);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where a broker started on {@code port} answers. */
  static String bootstrapServers(int port) {
    return "127.0.0.1:" + port;
  }

  public String clusterId() {
    return clusterId;
  }

  @Override
  public void close() {
    stopQuietly(server);
  }

  static Properties serverProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // A laptop broker: smaller segments than the 1 GiB default, so retention frees disk sooner.
    p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    return p;
  }

  /** Formats {@code logDir} unless it already holds a {@code meta.properties}; returns the cluster id. */
  static String formatIfNeeded(Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    if (Files.exists(meta)) {
      return readClusterId(meta);
    }
    String clusterId = Uuid.randomUuid().toString();
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toAbsolutePath().toString()))
          .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka log directory " + logDir + ": " + e.getMessage(), e);
    }
    log.info("Formatted Kafka log directory {} for cluster {}", logDir, clusterId);
    return clusterId;
  }

  private static String readClusterId(Path meta) {
    Properties p = new Properties();
    try (var reader = Files.newBufferedReader(meta)) {
      p.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + meta, e);
    }
    return p.getProperty("cluster.id", "");
  }

  private static void awaitReady(String bootstrap, Duration deadline) {
    Instant giveUp = Instant.now().plus(deadline);
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
    RuntimeException last = null;
    try (Admin admin = Admin.create(config)) {
      while (Instant.now().isBefore(giveUp)) {
        try {
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the broker", e);
        } catch (Exception e) {
          last = new IllegalStateException(e.getMessage(), e);
          sleep(100);
        }
      }
    }
    throw new IllegalStateException("not ready within " + deadline, last);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("Kafka broker did not stop cleanly: {}", e.toString());
    }
  }
}
