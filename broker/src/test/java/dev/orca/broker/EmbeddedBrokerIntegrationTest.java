package dev.orca.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerIntegrationTest {

  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;

  @Test
  void shouldKeepTopicsRecordsCredentialsAclsAndClusterIdAcrossRestart() throws Exception {
    Path logDir = dataDir.resolve("kafka");
    BrokerTls tls = BrokerTls.loadOrCreate(dataDir.resolve("tls"), List.of());
    String clusterId;
    String password = KafkaCredentials.newPassword();
    try (EmbeddedBroker broker = EmbeddedBroker.start(logDir, tls, ports(), STARTUP)) {
      clusterId = broker.clusterId();
      try (Admin admin = Admin.create(broker.superUserClient())) {
        admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        KafkaCredentials.upsert(admin, "reader", password, TIMEOUT);
        KafkaCredentials.grant(admin, List.of(allow("reader", ResourceType.TOPIC, "orders", AclOperation.READ),
            new AclBinding(new ResourcePattern(ResourceType.GROUP, "readers", PatternType.PREFIXED),
                new AccessControlEntry("User:reader", "*", AclOperation.READ, AclPermissionType.ALLOW))), TIMEOUT);
      }
      try (KafkaProducer<String, String> producer = producer(broker.superUserClient())) {
        producer.send(new ProducerRecord<>("orders", "k1", "first")).get(30, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("orders", "k2", "second")).get(30, TimeUnit.SECONDS);
      }
      assertThat(readAll(internal(broker, "reader", password), "orders", 2)).containsExactly("first", "second");
    }
    assertThat(logDir.resolve("meta.properties")).exists();

    // New ports on purpose: persistence must not depend on the listeners staying put.
    BrokerTls again = BrokerTls.loadOrCreate(dataDir.resolve("tls"), List.of());
    assertThat(again.caCertificatePem()).isEqualTo(tls.caCertificatePem());
    try (EmbeddedBroker broker = EmbeddedBroker.start(logDir, again, ports(), STARTUP)) {
      assertThat(broker.clusterId()).isEqualTo(clusterId);
      assertThat(readAll(internal(broker, "reader", password), "orders", 2)).containsExactly("first", "second");
      // Over TLS on the agents' listener too, trusting the broker by its CA.
      assertThat(readAll(KafkaSecurity.scramOverTls("reader", password, again.caCertificatePem())
          .with(broker.agentsBootstrap(), Map.of()), "orders", 2)).containsExactly("first", "second");
    }
  }

  @Test
  void shouldLetNobodyInWithoutTheRightCredentialCertificateOrAcl() throws Exception {
    BrokerTls tls = BrokerTls.loadOrCreate(dataDir.resolve("tls"), List.of());
    BrokerTls stranger = BrokerTls.loadOrCreate(dataDir.resolve("another-ca"), List.of());
    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir.resolve("kafka"), tls, ports(), STARTUP);
         Admin admin = Admin.create(broker.superUserClient())) {
      admin.createTopics(List.of(new NewTopic("secrets", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      String password = KafkaCredentials.newPassword();
      KafkaCredentials.upsert(admin, "nobody", password, TIMEOUT);

      // A wrong password, on either listener.
      assertThatThrownBy(() -> readAll(internal(broker, "nobody", "wrong-" + password), "secrets", 1))
          .isInstanceOf(SaslAuthenticationException.class);
      assertThatThrownBy(() -> readAll(KafkaSecurity.scramOverTls("nobody", "wrong", tls.caCertificatePem())
          .with(broker.agentsBootstrap(), Map.of()), "secrets", 1))
          .isInstanceOf(SaslAuthenticationException.class);
      // The right password, but trusting another CA: the client refuses the broker.
      assertThatThrownBy(() -> readAll(KafkaSecurity.scramOverTls("nobody", password, stranger.caCertificatePem())
          .with(broker.agentsBootstrap(), Map.of()), "secrets", 1))
          .isInstanceOf(SslAuthenticationException.class);
      // Authenticated, but no ACL: nothing to read, nothing to create.
      assertThatThrownBy(() -> readAll(internal(broker, "nobody", password), "secrets", 1))
          .isInstanceOf(TopicAuthorizationException.class);
      try (Admin nobody = Admin.create(internal(broker, "nobody", password))) {
        assertThatThrownBy(() -> nobody.createTopics(List.of(new NewTopic("mine", 1, (short) 1))).all()
            .get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
      }
      // Nobody but the broker's own certificate is the super user on the inter-broker listener:
      // not a client without a certificate, nor one whose certificate says CN=orca-broker too but
      // was signed by another CA.
      Map<String, Object> noCertificate = new HashMap<>(broker.superUserClient());
      noCertificate.remove("ssl.keystore.location");
      noCertificate.remove("ssl.keystore.type");
      Map<String, Object> foreignCertificate = new HashMap<>(broker.superUserClient());
      foreignCertificate.put("ssl.keystore.location", stranger.keyStoreFile().toString());
      assertThat(foreignCertificate.get("ssl.keystore.location"))
          .isNotEqualTo(broker.superUserClient().get("ssl.keystore.location"));
      for (Map<String, Object> client : List.of(noCertificate, foreignCertificate)) {
        client.put("request.timeout.ms", 5000);
        client.put("default.api.timeout.ms", 5000);
        try (Admin refused = Admin.create(client)) {
          assertThatThrownBy(() -> refused.listTopics().names().get(30, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(SslAuthenticationException.class);
        }
      }
    }
  }

  @Test
  void shouldRefuseToCreateTopicsImplicitly() throws Exception {
    BrokerTls tls = BrokerTls.loadOrCreate(dataDir.resolve("tls"), List.of());
    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir.resolve("kafka"), tls, ports(), STARTUP);
         Admin admin = Admin.create(broker.superUserClient())) {
      Map<String, Object> config = new HashMap<>(broker.superUserClient());
      config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "true");
      try (KafkaConsumer<String, String> consumer = consumer(config)) {
        // A metadata request that asks for the topic to be created, answered before this returns
        // (the super user may create topics: only the broker's setting says no).
        assertThat(consumer.partitionsFor("never-created", Duration.ofSeconds(30))).isEmpty();
      }
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("never-created");
    }
  }

  @Test
  void shouldFormatOnlyAnEmptyDirectory() throws Exception {
    Path logDir = dataDir.resolve("kafka");
    Files.createDirectories(logDir);
    String first = EmbeddedBroker.formatIfNeeded(logDir);
    String second = EmbeddedBroker.formatIfNeeded(logDir);
    assertThat(second).isEqualTo(first).isNotBlank();
  }

  private static EmbeddedBroker.Ports ports() {
    return new EmbeddedBroker.Ports(freePort(), freePort(), freePort(), freePort(), "127.0.0.1", 0);
  }

  private static Map<String, Object> internal(EmbeddedBroker broker, String user, String password) {
    Map<String, Object> config = KafkaSecurity.scram(user, password).with(broker.internalBootstrap(), Map.of());
    config.put("request.timeout.ms", 10000);
    config.put("default.api.timeout.ms", 10000);
    return config;
  }

  private static AclBinding allow(String user, ResourceType type, String name, AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> client) {
    Map<String, Object> config = new HashMap<>(client);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> client) {
    Map<String, Object> config = new HashMap<>(client);
    // A group of its own each time: offsets committed by an earlier read must not hide the records.
    config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "readers-" + java.util.UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  /** Reads until {@code expected} values came or 30 s passed; a refusal by the broker is thrown. */
  private static List<String> readAll(Map<String, Object> client, String topic, int expected) {
    List<String> values = new ArrayList<>();
    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (KafkaConsumer<String, String> consumer = consumer(client)) {
      consumer.subscribe(List.of(topic));
      while (values.size() < expected && System.nanoTime() < giveUp) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
