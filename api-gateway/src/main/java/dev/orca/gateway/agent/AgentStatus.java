package dev.orca.gateway.agent;

import java.time.Duration;
import java.time.Instant;

/** Online while the last heartbeat is younger than three heartbeat intervals. */
final class AgentStatus {

  static final String ONLINE = "online";
  static final String OFFLINE = "offline";
  static final int MISSED_INTERVALS = 3;

  private AgentStatus() {}

  static String of(Instant lastSeen, int heartbeatIntervalSeconds, Instant now) {
    if (lastSeen == null) {
      return OFFLINE;
    }
    Duration limit = Duration.ofSeconds((long) heartbeatIntervalSeconds * MISSED_INTERVALS);
    return Duration.between(lastSeen, now).compareTo(limit) < 0 ? ONLINE : OFFLINE;
  }
}
