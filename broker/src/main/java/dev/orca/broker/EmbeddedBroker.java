package dev.orca.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import dev.orca.schemas.KafkaSecurity;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker in this JVM, in KRaft combined mode (broker and controller, node 1), with
 * KRaft's {@code StandardAuthorizer} and nothing allowed that no ACL allows. Its listeners:
 *
 * <ul>
 *   <li>{@code CONTROLLER} and {@code BROKER} (inter-broker), 127.0.0.1, TLS with client
 *       certificates: only the holder of the broker's key ({@link BrokerTls}) gets in, as the super
 *       user {@link BrokerTls#BROKER_PRINCIPAL}; Orca's set-up uses it through
 *       {@link #superUserClient()};
 *   <li>{@code INTERNAL}, 127.0.0.1, SASL/SCRAM-SHA-512 without TLS: the components, each with
 *       its own principal (loopback only);
 *   <li>{@code AGENTS}, SASL/SCRAM-SHA-512 over TLS: agents, on this host or others, each with
 *       the credential registration gave it; it listens on every interface unless its advertised
 *       host is a loopback address;
 *   <li>{@code PLAINTEXT} on 127.0.0.1, only when {@link Ports#plaintext} is set (the tests' broker):
 *       no authentication, and its anonymous principal is a super user.
 * </ul>
 *
 * <p>Its log directory is formatted once, so topics, records, committed offsets, credentials,
 * ACLs and the cluster id survive a restart on the same directory. Single node: replication 1.
 * Connections re-authenticate every {@link #REAUTHENTICATION}: a deleted or replaced credential
 * keeps no session open for longer.
 */
public final class EmbeddedBroker implements AutoCloseable {

  /**
   * Ports of the listeners (0 for {@code plaintext}: none). {@code agentsHost} is the name or
   * address agents reach the broker by, in its certificate.
   */
  public record Ports(int controller, int broker, int internal, int agents, String agentsHost, int plaintext) {}

  public static final Duration REAUTHENTICATION = Duration.ofMinutes(5);
  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final BrokerTls tls;
  private final Ports ports;
  private final String clusterId;

  private EmbeddedBroker(KafkaRaftServer server, BrokerTls tls, Ports ports, String clusterId) {
    this.server = server;
    this.tls = tls;
    this.ports = ports;
    this.clusterId = clusterId;
  }

  /**
   * Starts a broker on {@code logDir} (formatted on first use) and returns once its super user
   * can describe the cluster, or fails after {@code deadline}.
   */
  public static EmbeddedBroker start(Path logDir, BrokerTls tls, Ports ports, Duration deadline) {
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka log directory " + logDir, e);
    }
    Properties props = serverProperties(logDir, tls, ports);
    KafkaConfig config = KafkaConfig.fromProps(props);
    String clusterId = formatIfNeeded(logDir);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    EmbeddedBroker broker = new EmbeddedBroker(server, tls, ports, clusterId);
    try {
      server.startup();
      awaitReady(broker.superUserClient(), deadline);
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw new IllegalStateException("embedded Kafka broker did not start on " + broker.internalBootstrap() + ": "
          + e.getMessage(), e);
    }
    return broker;
  }

  /** The components' listener: SASL/SCRAM on loopback. */
  public String internalBootstrap() {
    return loopback(ports.internal());
  }

  /** The agents' listener: SASL/SCRAM over TLS, by the name in the broker's certificate. */
  public String agentsBootstrap() {
    return hostPort(ports.agentsHost(), ports.agents());
  }

  /** The unauthenticated super-user listener of a tests' broker; null when there is none. */
  public String plaintextBootstrap() {
    return ports.plaintext() > 0 ? loopback(ports.plaintext()) : null;
  }

  public BrokerTls tls() {
    return tls;
  }

  public String clusterId() {
    return clusterId;
  }

  /**
   * A client configuration of the broker's super user: TLS with the broker's own certificate on
   * the inter-broker listener. For the set-up of principals and ACLs; never given to a component.
   */
  public Map<String, Object> superUserClient() {
    Map<String, Object> client = new HashMap<>();
    client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, loopback(ports.broker()));
    client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
    client.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
    client.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tls.keyStoreFile().toString());
    client.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
    client.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.caCertificateFile().toString());
    return client;
  }

  @Override
  public void close() {
    stopQuietly(server);
  }

  /**
   * The server configuration this broker runs with; public so that the brokers of the distributed
   * deployment (docker-compose.yml) are held to the same security in a test.
   */
  public static Properties serverProperties(Path logDir, BrokerTls tls, Ports ports) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    String agentsBind = isLoopback(ports.agentsHost()) ? "127.0.0.1" : "0.0.0.0";
    StringBuilder listeners = new StringBuilder(CONTROLLER_LISTENER + "://127.0.0.1:" + ports.controller()
        + ",BROKER://127.0.0.1:" + ports.broker() + ",INTERNAL://127.0.0.1:" + ports.internal()
        + ",AGENTS://" + agentsBind + ":" + ports.agents());
    StringBuilder advertised = new StringBuilder("BROKER://127.0.0.1:" + ports.broker() + ",INTERNAL://127.0.0.1:"
        + ports.internal() + ",AGENTS://" + hostPort(ports.agentsHost(), ports.agents()));
    String protocols = CONTROLLER_LISTENER + ":SSL,BROKER:SSL,INTERNAL:SASL_PLAINTEXT,AGENTS:SASL_SSL";
    String superUsers = BrokerTls.BROKER_PRINCIPAL;
    if (ports.plaintext() > 0) {
      listeners.append(",PLAINTEXT://127.0.0.1:").append(ports.plaintext());
      advertised.append(",PLAINTEXT://127.0.0.1:").append(ports.plaintext());
      protocols += ",PLAINTEXT:PLAINTEXT";
      superUsers += ";User:ANONYMOUS";
    }
    p.put("listeners", listeners.toString());
    p.put("advertised.listeners", advertised.toString());
    p.put("listener.security.protocol.map", protocols);
    p.put("inter.broker.listener.name", "BROKER");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + ports.controller());
    // TLS: the broker's key and chain, the CA it trusts; client certificates on the internal ones.
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.location", tls.keyStoreFile().toString());
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.location", tls.caCertificateFile().toString());
    p.put("listener.name.controller.ssl.client.auth", "required");
    p.put("listener.name.broker.ssl.client.auth", "required");
    // SCRAM for components and agents; credentials live in the cluster's metadata.
    p.put("sasl.enabled.mechanisms", KafkaSecurity.MECHANISM);
    String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    p.put("listener.name.internal.scram-sha-512.sasl.jaas.config", scram);
    p.put("listener.name.agents.scram-sha-512.sasl.jaas.config", scram);
    p.put("connections.max.reauth.ms", String.valueOf(REAUTHENTICATION.toMillis()));
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("allow.everyone.if.no.acl.found", "false");
    p.put("super.users", superUsers);
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

  private static String loopback(int port) {
    return "127.0.0.1:" + port;
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Formats {@code logDir} unless it already holds a {@code meta.properties}; returns the cluster id. */
  public static String formatIfNeeded(Path logDir) {
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

  private static void awaitReady(Map<String, Object> superUser, Duration deadline) {
    Instant giveUp = Instant.now().plus(deadline);
    Map<String, Object> config = new HashMap<>(superUser);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
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
