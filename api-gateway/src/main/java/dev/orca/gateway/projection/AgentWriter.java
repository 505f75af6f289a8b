package dev.orca.gateway.projection;

import dev.orca.gateway.notification.NotificationEvent;
import dev.orca.gateway.notification.NotificationQueue;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.Heartbeat;
import java.time.Instant;
import java.util.Objects;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Heartbeat → the agent's liveness and host facts. Liveness is when this gateway received the
 * heartbeat, not the {@code at} the agent wrote: a host whose clock is behind must not look
 * offline (nor one whose clock is ahead look alive). A heartbeat is written only when a fact
 * changed or the agent was last seen more than one and a half intervals ago, and an event row only when a
 * fact changed or the agent was offline before: steady heartbeats neither load the database nor
 * flood the SSE feed. Within one poll batch only an agent's newest heartbeat is applied.
 */
final class AgentWriter {

  /** What a heartbeat says about its host, besides being alive. */
  private record HostFacts(Boolean dockerAvailable, String dockerVersion, String composeCommand,
      String composeVersion, String message, String agentVersion, Integer intervalSeconds) {}

  private record Stored(HostFacts facts, boolean offline, boolean offlineTold, Instant lastSeen) {}

  private final DatabaseClient db;

  AgentWriter(DatabaseClient db) {
    this.db = db;
  }

  /**
   * One dispatcher task sends a deleted agent nothing more: noted for its retirement (see
   * AgentRetirements in the agent package), if that is still waiting; a repeat changes nothing.
   */
  Mono<Void> apply(AgentRetirementSeen seen) {
    return db.sql("INSERT INTO retired_agent_partitions (agent_id, partition)"
            + " SELECT agent_id, :partition FROM retired_agents WHERE agent_id = :id ON CONFLICT DO NOTHING")
        .bind("id", seen.getAgentId()).bind("partition", seen.getPartition())
        .fetch().rowsUpdated().then();
  }

  Mono<Void> apply(String agentId, Heartbeat heartbeat, Instant receivedAt, ChangedEntities changes) {
    HostFacts reported = new HostFacts(heartbeat.getDockerAvailable(), heartbeat.getDockerVersion(),
        heartbeat.getComposeCommand(), heartbeat.getComposeVersion(), heartbeat.getMessage(),
        heartbeat.getAgentVersion(), Math.max(1, heartbeat.getIntervalSeconds()));
    // Most heartbeats say nothing new: the same facts, from an agent seen within one and a half
    // intervals. Those cost one read and no write: one steady heartbeat in two is written, whatever
    // the jitter of their arrival, and last_seen lags by at most about two intervals, inside the
    // three after which an agent counts as offline.
    return db.sql("SELECT docker_available, docker_version, compose_command, compose_version, status_message,"
            + " agent_version, heartbeat_interval_seconds,"
            + " (last_seen IS NOT NULL AND last_seen >= :seen - make_interval(secs => 1.5 * heartbeat_interval_seconds))"
            + " AS recent FROM agents WHERE id = :id")
        .bind("id", agentId)
        .bind("seen", Sql.notAfterNow(receivedAt))
        .map(row -> Boolean.TRUE.equals(row.get("recent", Boolean.class)) && reported.equals(new HostFacts(
            row.get("docker_available", Boolean.class), row.get("docker_version", String.class),
            row.get("compose_command", String.class), row.get("compose_version", String.class),
            row.get("status_message", String.class), row.get("agent_version", String.class),
            row.get("heartbeat_interval_seconds", Integer.class))))
        .one()
        .defaultIfEmpty(false)
        .flatMap(nothingNew -> nothingNew ? Mono.<Void>empty() : record(agentId, reported, receivedAt, changes));
  }

  private Mono<Void> record(String agentId, HostFacts reported, Instant receivedAt, ChangedEntities changes) {
    return db.sql("SELECT docker_available, docker_version, compose_command, compose_version, status_message,"
            // Told offline, and this heartbeat is newer than the silence (a late old one is not a return).
            + " agent_version, heartbeat_interval_seconds, last_seen,"
            + " (offline_announced_for IS NOT NULL AND :seen > last_seen) AS told,"
            // Offline as of when this heartbeat was received, not of when a late batch is written.
            + " (last_seen IS NULL OR last_seen < :seen - make_interval(secs => 3 * heartbeat_interval_seconds)) AS offline"
            + " FROM agents WHERE id = :id FOR UPDATE")
        .bind("id", agentId)
        .bind("seen", Sql.notAfterNow(receivedAt))
        .map(row -> new Stored(new HostFacts(row.get("docker_available", Boolean.class),
            row.get("docker_version", String.class), row.get("compose_command", String.class),
            row.get("compose_version", String.class), row.get("status_message", String.class),
            row.get("agent_version", String.class), row.get("heartbeat_interval_seconds", Integer.class)),
            Boolean.TRUE.equals(row.get("offline", Boolean.class)), Boolean.TRUE.equals(row.get("told", Boolean.class)),
            row.get("last_seen", Instant.class)))
        .one()
        .flatMap(stored -> update(agentId, receivedAt, reported)
            .doOnNext(rows -> {
              if (stored.offline() || !Objects.equals(stored.facts(), reported)) {
                changes.changed("agent", agentId);
              }
            })
            // Back after a silence that was told (offline first, then online): once per silence.
            .then(stored.offlineTold() && stored.lastSeen() != null
                ? NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.AGENT_ONLINE,
                    "agent-online:" + agentId + ":" + stored.lastSeen().toEpochMilli(), null, null, agentId, null, null,
                    Sql.notAfterNow(receivedAt), "agent:" + agentId, null))
                : Mono.empty()))
        .then();
  }

  private Mono<Long> update(String agentId, Instant receivedAt, HostFacts facts) {
    // GREATEST: a replayed or reordered heartbeat never moves last_seen backwards.
    var spec = db.sql("UPDATE agents SET last_seen = GREATEST(last_seen, :seen),"
            + " offline_announced_for = CASE WHEN last_seen IS NULL OR :seen > last_seen THEN NULL"
            + " ELSE offline_announced_for END,"
            + " docker_available = :docker,"
            + " docker_version = :dockerVersion, compose_command = :compose, compose_version = :composeVersion,"
            + " status_message = :message, agent_version = :agentVersion, heartbeat_interval_seconds = :interval"
            + " WHERE id = :id")
        .bind("id", agentId)
        .bind("seen", Sql.notAfterNow(receivedAt))
        .bind("docker", facts.dockerAvailable())
        .bind("agentVersion", facts.agentVersion())
        .bind("interval", facts.intervalSeconds());
    spec = Sql.bind(spec, "dockerVersion", facts.dockerVersion(), String.class);
    spec = Sql.bind(spec, "compose", facts.composeCommand(), String.class);
    spec = Sql.bind(spec, "composeVersion", facts.composeVersion(), String.class);
    spec = Sql.bind(spec, "message", facts.message(), String.class);
    return spec.fetch().rowsUpdated();
  }
}
