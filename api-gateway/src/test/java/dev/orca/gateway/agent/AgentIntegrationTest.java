package dev.orca.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.TopicProbe;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.testsupport.SharedKafka;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class AgentIntegrationTest extends GatewayTestSupport {

  @Autowired
  Topics topics;

  @Autowired
  LocalAgent localAgent;

  @Test
  @SuppressWarnings("unchecked")
  void shouldRegisterAnAgentWithItsTopicsConfigAndConnectionShownOnce() throws Exception {
    String name = "host-" + UUID.randomUUID().toString().substring(0, 8);
    @SuppressWarnings("unchecked") Map<String, Object> created = admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    String id = (String) created.get("id");
    assertThat(UUID.fromString(id)).isNotNull();
    assertThat(created.get("status")).isEqualTo("offline");
    assertThat((Map<String, Object>) created.get("connection"))
        .containsEntry("kafkaBootstrap", SharedKafka.broker().map(b -> b.agentsBootstrap())
            .orElse(SharedKafka.bootstrapServers()))
        .containsEntry("securityProtocol", "SASL_SSL").containsEntry("username", "orca-agent-" + id + "-1")
        .containsEntry("topicPrefix", PREFIX).containsEntry("agentId", id)
        .containsEntry("commandsTopic", topics.agentCommands(id).name())
        .containsEntry("eventsTopic", topics.agentEvents(id).name());

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
      Set<String> names = admin.listTopics().names().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(names).contains(topics.agentCommands(id).name(), topics.agentEvents(id).name());
    }
    var config = TopicProbe.await(topics.configAgents(), (key, value) -> key.equals(id));
    assertThat(config.value().getRevision()).isPositive();
    assertThat(config.value().getHeartbeatIntervalSeconds()).isEqualTo(15);

    admin().get().uri("/api/v1/agents/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.name").isEqualTo(name).jsonPath("$.connection").doesNotExist();
    admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name.toUpperCase()))
        .exchange().expectStatus().isEqualTo(409);
  }

  @Test
  void shouldShowAnAgentOnlineWhileItsHeartbeatIsRecent() {
    String id = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "beat-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    update("UPDATE agents SET last_seen = ?, docker_available = true, docker_version = '28.2' WHERE id = ?",
        Timestamp.from(Instant.now()), id);
    admin().get().uri("/api/v1/agents/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("online").jsonPath("$.dockerVersion").isEqualTo("28.2")
        .jsonPath("$.dockerAvailable").isEqualTo(true).jsonPath("$.lastSeen").isNotEmpty();

    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now().minusSeconds(46)), id);
    admin().get().uri("/api/v1/agents").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[?(@.id == '" + id + "')].status").isEqualTo("offline");
  }

  @Test
  void shouldFilterByStatusSearchAndPageTheAgentsByName() {
    String tag = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = new java.util.ArrayList<>();
    for (String name : List.of(tag + "-c", tag + "-a", tag + "-b")) {
      ids.add((String) admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name))
          .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id"));
    }
    update("UPDATE agents SET last_seen = ? WHERE id = ?", Timestamp.from(Instant.now()), ids.get(1));

    admin().get().uri("/api/v1/agents?q=" + tag.toUpperCase() + "&limit=2").exchange().expectStatus().isOk()
        .expectHeader().valueEquals("X-Total-Count", "3")
        .expectHeader().valueEquals("Link", "</api/v1/agents?q=" + tag.toUpperCase() + "&limit=2&offset=2>; rel=\"next\"")
        .expectBody().jsonPath("$[*].name").isEqualTo(List.of(tag + "-a", tag + "-b"));
    admin().get().uri("/api/v1/agents?q=" + tag + "&status=online").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[*].id").isEqualTo(List.of(ids.get(1)));
    admin().get().uri("/api/v1/agents?q=" + tag + "&status=offline").exchange().expectStatus().isOk()
        .expectHeader().valueEquals("X-Total-Count", "2");
    admin().get().uri("/api/v1/agents?status=asleep").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("status must be one or more of online, offline, separated by commas");
  }

  @Test
  void shouldShowTheComposeVersionOfTheAgentsHeartbeatInItsJsonAndLiveEvent() throws Exception {
    String id = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "compose-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    Flux<ServerSentEvent<String>> stream = admin().get().uri("/api/v1/events").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk().returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
        .getResponseBody();

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(topics.agentEvents(id).record(id, Heartbeat.newBuilder().setAgentId(id).setDockerAvailable(true)
          .setDockerVersion("27.5.1").setComposeCommand("docker compose").setComposeVersion("2.27.0")
          .setAgentVersion("0.1.0").setIntervalSeconds(15).setAt(Instant.now()).build()))
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    // Earlier events about the agent (its creation) may still be in flight: wait for the projected one.
    StepVerifier.create(stream.filter(event -> "agent".equals(event.event()) && event.data() != null
            && event.data().contains("\"id\":\"" + id + "\"") && event.data().contains("\"composeVersion\":\"2.27.0\""))
            .take(1))
        .assertNext(event -> assertThat(event.data()).contains("\"composeCommand\":\"docker compose\""))
        .expectComplete()
        .verify(DEADLINE);
    admin().get().uri("/api/v1/agents/" + id).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.composeVersion").isEqualTo("2.27.0").jsonPath("$.dockerVersion").isEqualTo("27.5.1");
    admin().get().uri("/api/v1/agents").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[?(@.id == '" + id + "')].composeVersion").isEqualTo("2.27.0");
  }

  @Test
  void shouldRenameAndDeleteAnUnusedAgentWithATombstone() {
    String id = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "gone-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");

    admin().put().uri("/api/v1/agents/" + id).bodyValue(Map.of("name", "renamed-" + id.substring(0, 8)))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("renamed-" + id.substring(0, 8));
    admin().delete().uri("/api/v1/agents/" + id).exchange().expectStatus().isNoContent();
    admin().get().uri("/api/v1/agents/" + id).exchange().expectStatus().isNotFound()
        .expectBody().jsonPath("$.error").isEqualTo("agent not found");

    TopicProbe.await(topics.configAgents(), (key, value) -> key.equals(id) && value == null);
  }

  @Test
  void shouldRegisterTheLocalAgentOnceAndKeepItsIdInSystemSettings() {
    assertThat(localAgent.id()).isNotBlank();
    assertThat(single("SELECT value FROM system_settings WHERE key = 'local_agent_id'").get("value"))
        .isEqualTo(localAgent.id());
    admin().get().uri("/api/v1/agents/" + localAgent.id()).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.name").isEqualTo("local");
  }

  @Test
  void shouldGiveTheLocalAgentAnEnvironmentKeyKeptEncryptedAndACredentialOfThisStart() {
    String key = localAgent.environment().get("ORCA_AGENT_ENVIRONMENT_KEY");
    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    assertThat(localAgent.toString()).doesNotContain(key);
    String stored = (String) single("SELECT environment_key_encrypted FROM agents WHERE id = ?", localAgent.id())
        .get("environment_key_encrypted");
    assertThat(secretBox().decrypt(stored)).isEqualTo(key);
    // A credential of its own, named in the table; its password is nowhere but in this JVM.
    String password = localAgent.environment().get("ORCA_KAFKA_PASSWORD");
    assertThat(localAgent.environment()).containsEntry("ORCA_AGENT_ID", localAgent.id())
        .containsEntry("ORCA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    Map<String, Object> row = single("SELECT * FROM agents WHERE id = ?", localAgent.id());
    assertThat(row.get("kafka_principal")).isEqualTo(localAgent.environment().get("ORCA_KAFKA_USERNAME"));
    assertThat(row.values()).noneMatch(value -> String.valueOf(value).contains(password));
    assertThat(localAgent.toString()).doesNotContain(password);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldShowTheEnvironmentKeyOnlyOnceAndStoreItEncrypted() {
    Map<String, Object> created = admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "keyed-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    String id = (String) created.get("id");
    String key = (String) ((Map<String, Object>) created.get("connection")).get("environmentKey");

    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    String stored = (String) single("SELECT environment_key_encrypted FROM agents WHERE id = ?", id)
        .get("environment_key_encrypted");
    assertThat(stored).doesNotContain(key);
    assertThat(secretBox().decrypt(stored)).isEqualTo(key);
    String one = admin().get().uri("/api/v1/agents/" + id).exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    String all = admin().get().uri("/api/v1/agents").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(one).doesNotContain(key).doesNotContain("environmentKey").doesNotContain("connection");
    assertThat(all).doesNotContain(key).doesNotContain("environmentKey");
    assertThat(String.valueOf(TopicProbe.await(topics.configAgents(), (k, value) -> k.equals(id)).value()))
        .doesNotContain(key);
  }
}
