package dev.orca.launcher;

import dev.orca.broker.BrokerTls;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The broker set-up of a distributed deployment, the same {@code ./orca up} does for its own
 * broker: {@code kafka-tls DIR HOST...} makes a CA and a broker certificate naming the hosts
 * (kept when they exist); {@code kafka-setup} connects as the brokers' super user (their
 * certificate, on their inter-broker listener), creates the shared topics, gives each component
 * its SCRAM credential and grants what {@link KafkaAccess#components} lists. Both can run again.
 */
final class KafkaSetup {

  private static final Duration DEADLINE = Duration.ofMinutes(2);

  private KafkaSetup() {}

  /** {@code kafka-tls DIR HOST...}. */
  static void tls(String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: kafka-tls DIR HOST... (the names brokers are reached by)");
    }
    BrokerTls tls = BrokerTls.loadOrCreate(Path.of(args[1]), Arrays.asList(args).subList(2, args.length));
    System.out.println("CA certificate: " + tls.caCertificateFile() + " (give it to components and agents)");
    System.out.println("broker key and chain: " + tls.keyStoreFile() + " (brokers and kafka-setup only)");
  }

  /**
   * {@code kafka-setup}, from ORCA_KAFKA_BOOTSTRAP (the brokers' inter-broker TLS listener),
   * ORCA_KAFKA_TLS_DIR (broker.pem and ca.crt), the ORCA_TOPIC_* variables, and the components'
   * passwords: ORCA_GATEWAY_KAFKA_PASSWORD, ORCA_SYNC_STREAM_KAFKA_PASSWORD,
   * ORCA_DISPATCHER_KAFKA_PASSWORD; their principals' names may be changed with
   * ORCA_KAFKA_GATEWAY_PRINCIPAL, ORCA_KAFKA_SYNC_STREAM_PRINCIPAL, ORCA_KAFKA_DISPATCHER_PRINCIPAL
   * (the gateway's must then be its ORCA_KAFKA_USERNAME). Waits up to two minutes for the brokers.
   */
  static void setUp(Map<String, String> env) throws InterruptedException {
    String bootstrap = required(env, "ORCA_KAFKA_BOOTSTRAP");
    Path tls = Path.of(required(env, "ORCA_KAFKA_TLS_DIR"));
    Topics topics = Topics.fromEnvironment(env);
    KafkaAccess.Principals defaults = KafkaAccess.Principals.defaults();
    KafkaAccess.Principals principals = new KafkaAccess.Principals(
        env.getOrDefault("ORCA_KAFKA_GATEWAY_PRINCIPAL", defaults.gateway()),
        env.getOrDefault("ORCA_KAFKA_SYNC_STREAM_PRINCIPAL", defaults.syncStream()),
        env.getOrDefault("ORCA_KAFKA_DISPATCHER_PRINCIPAL", defaults.dispatcher()));
    Map<String, String> passwords = Map.of(
        principals.gateway(), required(env, "ORCA_GATEWAY_KAFKA_PASSWORD"),
        principals.syncStream(), required(env, "ORCA_SYNC_STREAM_KAFKA_PASSWORD"),
        principals.dispatcher(), required(env, "ORCA_DISPATCHER_KAFKA_PASSWORD"));
    Map<String, Object> client = new HashMap<>();
    client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
    client.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
    client.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tls.resolve("broker.pem").toString());
    client.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
    client.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.resolve("ca.crt").toString());
    Instant giveUp = Instant.now().plus(DEADLINE);
    RuntimeException last = null;
    try (Admin admin = Admin.create(client)) {
      while (Instant.now().isBefore(giveUp)) {
        try {
          TopicAdmin.ensure(admin, topics.sharedTopics(), Duration.ofSeconds(30));
          KafkaCredentials.setUpComponents(admin, topics, principals, passwords, Duration.ofSeconds(30));
          System.out.println("kafka-setup: shared topics, and the credentials and ACLs of "
              + String.join(", ", List.copyOf(passwords.keySet())) + " are in place");
          return;
        } catch (RuntimeException e) {
          last = e;
          Thread.sleep(2_000);
        }
      }
    }
    throw new IllegalStateException("kafka-setup: the brokers at " + bootstrap + " did not answer within " + DEADLINE,
        last);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value.trim();
  }
}
