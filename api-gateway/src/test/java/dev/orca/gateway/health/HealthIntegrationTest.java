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
