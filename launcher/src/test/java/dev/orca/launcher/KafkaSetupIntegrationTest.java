package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafka-tls} and {@code kafka-setup}, as a distributed deployment runs them, against a broker with its authorizer. */
class KafkaSetupIntegrationTest {

  @TempDir
  Path dir;

  @Test
  void shouldMakeTheTlsMaterialAndGiveEachComponentItsCredentialAndOnlyItsAcls() throws Exception {
    KafkaSetup.tls(new String[] {"kafka-tls", dir.resolve("tls").toString(), "kafka-1", "orca.example.com"});
    assertThat(dir.resolve("tls").resolve("broker.pem")).exists();
    String ca = Files.readString(dir.resolve("tls").resolve("ca.crt"));
    BrokerTls tls = BrokerTls.loadOrCreate(dir.resolve("tls"), List.of("kafka-1", "orca.example.com"));
    assertThat(tls.caCertificatePem()).isEqualTo(ca);

    try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("kafka"), tls, new EmbeddedBroker.Ports(
        PortBook.freePort(), PortBook.freePort(), PortBook.freePort(), PortBook.freePort(), "127.0.0.1", 0),
        Duration.ofSeconds(60))) {
      Map<String, String> env = new HashMap<>(Map.of(
          "ORCA_KAFKA_BOOTSTRAP", (String) broker.superUserClient().get("bootstrap.servers"),
          "ORCA_KAFKA_TLS_DIR", dir.resolve("tls").toString(),
          "ORCA_TOPIC_PREFIX", "dist.",
          "ORCA_GATEWAY_KAFKA_PASSWORD", "gateway-password-of-this-test",
          "ORCA_SYNC_STREAM_KAFKA_PASSWORD", "sync-password-of-this-test",
          "ORCA_DISPATCHER_KAFKA_PASSWORD", "dispatcher-password-of-this-test"));
      KafkaSetup.setUp(env);
      // Again: the set-up can run at every start.
      KafkaSetup.setUp(env);

      Topics topics = new Topics("dist.", 3, (short) 1);
      try (Admin gateway = Admin.create(client(broker, "orca-gateway", "gateway-password-of-this-test"));
           Admin sync = Admin.create(client(broker, "orca-sync-stream", "sync-password-of-this-test"))) {
        assertThat(gateway.listTopics().names().get(30, TimeUnit.SECONDS))
            .contains(topics.syncRequests().name(), topics.status().name());
        // sync-stream may create its own internal topics, and no one else's.
        assertThatThrownBy(() -> sync.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(
            "dist.agent.x.commands", 1, (short) 1))).all().get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        sync.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("dist.sync-stream-store-changelog", 1,
            (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
    }
    assertThatThrownBy(() -> KafkaSetup.setUp(Map.of("ORCA_KAFKA_BOOTSTRAP", "127.0.0.1:1")))
        .hasMessageContaining("ORCA_KAFKA_TLS_DIR is required");
  }

  private static Map<String, Object> client(EmbeddedBroker broker, String user, String password) {
    Map<String, Object> client = KafkaSecurity.scram(user, password).with(broker.internalBootstrap(), Map.of());
    client.put("request.timeout.ms", 10_000);
    client.put("default.api.timeout.ms", 10_000);
    return client;
  }
}
