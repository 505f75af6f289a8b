package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.broker.EmbeddedBroker;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.testsupport.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --check} as an agent on another host runs it: against the shared broker's agents'
 * listener (SCRAM over TLS, the authorizer on), with a credential and grants made as the gateway
 * makes them at registration.
 */
class AgentCheckIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path deployments;
  private final EmbeddedBroker broker = SharedKafka.broker()
      .orElseThrow(() -> new IllegalStateException("the check is tested against the embedded broker's listeners"));
  private final String password = KafkaCredentials.newPassword();
  private AgentTopics kafka;
  private Admin admin;
  private String principal;

  @BeforeEach
  void registerTheAgent() {
    kafka = new AgentTopics();
    admin = Admin.create(broker.superUserClient());
    principal = KafkaAccess.agentPrincipal(kafka.agentId, 1);
    KafkaCredentials.upsert(admin, principal, password, WAIT);
    KafkaCredentials.grant(admin, KafkaAccess.agentOwn(kafka.topics, kafka.agentId, principal), WAIT);
  }

  @AfterEach
  void removeTheAgent() {
    KafkaCredentials.revoke(admin, java.util.List.of(KafkaAccess.ofPrincipal(principal)), WAIT);
    KafkaCredentials.delete(admin, principal, WAIT);
    admin.close();
    kafka.close();
  }

  private AgentSettings settings(String user, String secret) {
    return new AgentSettings(broker.agentsBootstrap(), kafka.topics, kafka.agentId, deployments,
        AgentSettings.DEFAULT_DOCKER_HOST, Duration.ofSeconds(15), Duration.ofSeconds(15), "test", 1, null,
        KafkaSecurity.scramOverTls(user, secret, broker.tls().caCertificatePem()));
  }

  @Test
  void shouldPassWithItsOwnCredentialAndWriteOneHeartbeat() {
    assertThat(Agent.check(settings(principal, password), new FakeRuntime())).isZero();

    await().atMost(WAIT).until(() -> kafka.events().stream().anyMatch(Heartbeat.class::isInstance));
    Heartbeat heartbeat = (Heartbeat) kafka.events().stream().filter(Heartbeat.class::isInstance).findFirst()
        .orElseThrow();
    assertThat(heartbeat.getAgentId()).isEqualTo(kafka.agentId);
    assertThat(heartbeat.getComposeCommand()).isEqualTo("docker-compose");
    // Online for a moment only: nothing keeps heartbeating after the check.
    assertThat(heartbeat.getIntervalSeconds()).isEqualTo(1);
  }

  @Test
  void shouldFailWhenItsCommandsTopicIsGone() throws Exception {
    admin.deleteTopics(java.util.List.of(kafka.topics.agentCommands(kafka.agentId).name())).all()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> !admin.listTopics().names().get().contains(
        kafka.topics.agentCommands(kafka.agentId).name()));

    assertThat(Agent.check(settings(principal, password), new FakeRuntime())).isEqualTo(1);
    assertThat(kafka.events()).isEmpty();
  }

  @Test
  void shouldSayTheBrokerRefusedAWrongPassword() {
    assertThat(Agent.check(settings(principal, "not-" + password), new FakeRuntime())).isEqualTo(2);
    assertThat(kafka.events()).isEmpty();
  }

  @Test
  void shouldSayTheAgentMayNotReadItsCommandsOnceItsGrantsAreGone() {
    // As after a rotation or a deletion: the grants go first.
    KafkaCredentials.revoke(admin, java.util.List.of(KafkaAccess.ofPrincipal(principal)), WAIT);

    assertThat(Agent.check(settings(principal, password), new FakeRuntime())).isEqualTo(2);
    assertThat(kafka.events()).isEmpty();
  }
}
