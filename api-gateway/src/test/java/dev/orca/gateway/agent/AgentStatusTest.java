package dev.orca.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentStatusTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void shouldBeOfflineWhenNeverSeen() {
    assertThat(AgentStatus.of(null, 15, NOW)).isEqualTo("offline");
  }

  @Test
  void shouldBeOnlineWithinThreeHeartbeatIntervals() {
    assertThat(AgentStatus.of(NOW.minusSeconds(1), 15, NOW)).isEqualTo("online");
    assertThat(AgentStatus.of(NOW.minusSeconds(44), 15, NOW)).isEqualTo("online");
  }

  @Test
  void shouldBeOfflineOnceThreeHeartbeatIntervalsWereMissed() {
    assertThat(AgentStatus.of(NOW.minusSeconds(45), 15, NOW)).isEqualTo("offline");
    assertThat(AgentStatus.of(NOW.minusSeconds(31), 10, NOW)).isEqualTo("offline");
  }
}
