package dev.orca.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class BatchProjectionTest {

  @Test
  void shouldApplyOnlyEachAgentsNewestHeartbeatOfABatchAndEverythingElse() {
    Projected a1 = record(0, "a", heartbeat("a", "one"));
    Projected b1 = record(1, "b", heartbeat("b", "one"));
    Projected report = record(2, "a", HealthReport.newBuilder().setApplicationId("app").setHealth(HealthStatus.HEALTHY).setContainers(List.of())
        .setAt(Instant.now()).build());
    Projected a2 = record(3, "a", heartbeat("a", "two"));
    Projected a3 = record(4, "a", heartbeat("a", "three"));

    assertThat(BatchProjection.newestHeartbeats(List.of(a1, b1, report, a2, a3))).containsExactly(b1, report, a3);
    assertThat(BatchProjection.newestHeartbeats(List.of(report))).containsExactly(report);
  }

  private static Projected record(long offset, String agentId, SpecificRecord message) {
    return new Projected("agent." + agentId + ".events", 0, offset, agentId, message, Instant.now());
  }

  private static Heartbeat heartbeat(String agentId, String message) {
    return Heartbeat.newBuilder().setAgentId(agentId).setDockerAvailable(true).setMessage(message).setAgentVersion("0.1.0")
        .setIntervalSeconds(15).setAt(Instant.now()).build();
  }
}
