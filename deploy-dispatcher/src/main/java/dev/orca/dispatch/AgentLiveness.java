package dev.orca.dispatch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Utils;

/**
 * Which agents this dispatcher instance knows to be offline, from the heartbeats its tasks see
 * (measured when they arrive, not by the agent's clock, as the gateway does). An agent is offline
 * when three of its heartbeat intervals passed without one; one never heard from is offline once
 * this instance has owned the partition its heartbeats land on for three default intervals. An
 * agent whose heartbeats another instance reads is never called offline here: deployments for
 * it then wait for their deadline, as before. Shared by the tasks of one instance.
 */
final class AgentLiveness {

  private static final int MISSED_INTERVALS = 3;

  private final int partitions;
  private final Duration defaultInterval;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Map<Integer, Instant> ownedSince = new ConcurrentHashMap<>();

  private record Seen(Instant at, Duration interval) {}

  AgentLiveness(int partitions, Duration defaultInterval) {
    this.partitions = partitions;
    this.defaultInterval = defaultInterval;
  }

  void heartbeat(String agentId, int intervalSeconds, Instant now) {
    Duration interval = intervalSeconds > 0 ? Duration.ofSeconds(intervalSeconds) : defaultInterval;
    seen.put(agentId, new Seen(now, interval));
  }

  void owned(int partition, Instant now) {
    ownedSince.putIfAbsent(partition, now);
  }

  void released(int partition) {
    ownedSince.remove(partition);
  }

  /** Why the agent is known to be offline now, or empty when it is online or this instance cannot tell. */
  Optional<String> offline(String agentId, Instant now) {
    Seen last = seen.get(agentId);
    if (last != null) {
      Instant limit = last.at().plus(last.interval().multipliedBy(MISSED_INTERVALS));
      return now.isAfter(limit)
          ? Optional.of("agent " + agentId + " is offline (no heartbeat since " + last.at() + ")")
          : Optional.empty();
    }
    Instant owned = ownedSince.get(heartbeatPartition(agentId));
    if (owned != null && now.isAfter(owned.plus(defaultInterval.multipliedBy(MISSED_INTERVALS)))) {
      return Optional.of("agent " + agentId + " is offline (it has not sent a heartbeat since " + owned + ")");
    }
    return Optional.empty();
  }

  /**
   * The partition an agent's heartbeats (keyed by its id) are written to, in its events topic and
   * in agent-reports alike (same count, same partitioner).
   */
  int heartbeatPartition(String agentId) {
    return Utils.toPositive(Utils.murmur2(agentId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
