package dev.orca.gateway.health;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class HealthIntegrationTest extends GatewayTestSupport {

  @org.springframework.beans.factory.annotation.Autowired
  private dev.orca.gateway.projection.Projector projector;

  @Test
  void shouldNameTheProjectorDownOnceItStopsAndUpWhenItRunsAgain() {
    anonymous().get().uri("/api/v1/health").exchange()
        .expectBody()
        .jsonPath("$.components.projector").isEqualTo("up")
        .jsonPath("$.components.outbox").isEqualTo("up");
    // A projector whose thread ended (as on a failure it does not survive) no longer projects.
    projector.close();
    try {
      anonymous().get().uri("/api/v1/health").exchange()
          .expectStatus().isEqualTo(503)
          .expectBody()
          .jsonPath("$.status").isEqualTo("down")
          .jsonPath("$.components.projector").isEqualTo("down")
          .jsonPath("$.components.database").isEqualTo("up");
    } finally {
      projector.start();
    }
    Awaitility.await().atMost(DEADLINE).untilAsserted(() -> anonymous().get().uri("/api/v1/health").exchange()
        .expectBody().jsonPath("$.components.projector").isEqualTo("up"));
  }

  @Test
  void shouldAnswer503UntilRequiredConsumerGroupHasAMemberThen200() {
    anonymous().get().uri("/api/v1/health").exchange()
        .expectStatus().isEqualTo(503)
        .expectBody()
        .jsonPath("$.status").isEqualTo("down")
        .jsonPath("$.components.database").isEqualTo("up")
        .jsonPath("$.components.kafka").isEqualTo("up")
        .jsonPath("$.components['" + PROBE_GROUP + "']").isEqualTo("down");

    try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, PROBE_GROUP),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      member.subscribe(List.of(PREFIX + "status"));
      Awaitility.await().atMost(DEADLINE).until(() -> {
        member.poll(Duration.ofMillis(100));
        return !member.assignment().isEmpty();
      });

      anonymous().get().uri("/api/v1/health").exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.status").isEqualTo("up")
          .jsonPath("$.components['" + PROBE_GROUP + "']").isEqualTo("up");
    }
  }
}
