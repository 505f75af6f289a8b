package dev.orca.gateway.events;

import dev.orca.gateway.notification.NotificationEvent;
import dev.orca.gateway.notification.NotificationQueue;
import dev.orca.gateway.eventlog.EntityChange;
import dev.orca.gateway.eventlog.EventAppender;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Going offline is the absence of heartbeats, so no message announces it: this sweeper writes an
 * {@code events} row (and NOTIFY) for every agent whose last heartbeat is older than three
 * intervals. Which silences were announced is kept in memory, so a restarted gateway announces
 * the offline agents once more, which is harmless.
 */
final class AgentLivenessSweeper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentLivenessSweeper.class);

  private record Silent(String agentId, OffsetDateTime lastSeen) {}

  private final DatabaseClient db;
  private final TransactionalOperator transaction;
  private final Duration period;
  private final Map<String, OffsetDateTime> announced = new ConcurrentHashMap<>();
  private final java.time.Instant started = java.time.Instant.now();
  private Disposable loop;

  AgentLivenessSweeper(DatabaseClient db, Duration period) {
    this.db = db;
    this.transaction = TransactionalOperator.create(new R2dbcTransactionManager(db.getConnectionFactory()));
    this.period = period;
  }

  void start() {
    loop = Flux.interval(period)
        .onBackpressureDrop()
        .concatMap(tick -> sweep().onErrorResume(e -> {
          log.warn("agent liveness sweep failed: {}", e.toString());
          return Mono.empty();
        }), 1)
        .subscribe();
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.dispose();
    }
  }

  /**
   * Queues the agent's "offline" notification, once per silence among every gateway (the row says
   * which silence was told), and only once this gateway has been up for three of the agent's
   * intervals: a gateway that was down, or a projector catching up, sees silences that are not.
   */
  private Mono<Boolean> tellOffline(Silent agent) {
    return db.sql("UPDATE agents SET offline_announced_for = last_seen WHERE id = :id AND last_seen = :seen"
            + " AND offline_announced_for IS DISTINCT FROM last_seen"
            + " AND now() - CAST(:started AS timestamptz) > make_interval(secs => 3 * heartbeat_interval_seconds)"
            + " RETURNING id")
        .bind("id", agent.agentId()).bind("seen", agent.lastSeen()).bind("started", started)
        .map(row -> true).one()
        .flatMap(told -> NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.AGENT_OFFLINE,
            "agent-offline:" + agent.agentId() + ":" + agent.lastSeen().toInstant().toEpochMilli(), null, null,
            agent.agentId(), null, "last seen " + agent.lastSeen().toInstant(), java.time.Instant.now(),
            "agent:" + agent.agentId(), null)).thenReturn(true))
        // Not told now: settled when another gateway told this silence already.
        .switchIfEmpty(Mono.defer(() -> db.sql("SELECT offline_announced_for = last_seen AS told FROM agents"
                + " WHERE id = :id")
            .bind("id", agent.agentId())
            .map(row -> Boolean.TRUE.equals(row.get("told", Boolean.class))).one().defaultIfEmpty(true)));
  }

  /** One sweep: announces each agent that fell silent since the last one. */
  Mono<Void> sweep() {
    return db.sql("SELECT id, last_seen FROM agents WHERE last_seen IS NOT NULL"
            + " AND last_seen < now() - make_interval(secs => 3 * heartbeat_interval_seconds)")
        .map(row -> new Silent(row.get("id", String.class), row.get("last_seen", OffsetDateTime.class)))
        .all()
        .collectList()
        .flatMap(silent -> {
          // Agents heard from again (or deleted) are forgotten, so their next silence is announced.
          announced.keySet().retainAll(silent.stream().map(Silent::agentId).toList());
          List<Silent> fresh = silent.stream()
              .filter(s -> !s.lastSeen().equals(announced.get(s.agentId())))
              .toList();
          return fresh.isEmpty() ? Mono.empty() : announce(fresh);
        });
  }

  private Mono<Void> announce(List<Silent> agents) {
    // The agents' rows first, then the events lock: the projector takes them in that order too.
    java.util.Set<String> settled = ConcurrentHashMap.newKeySet();
    Mono<Long> append = reactor.core.publisher.Flux.fromIterable(agents)
        .concatMap(agent -> tellOffline(agent).doOnNext(told -> {
          if (told) {
            settled.add(agent.agentId());
          }
        }))
        .then(EventAppender.append(db,
            agents.stream().map(agent -> EntityChange.changed("agent", agent.agentId())).toList()));
    return append.as(transaction::transactional)
        // Remembered only once told (or told by another gateway): one silent through this gateway's
        // first intervals is tried again after them.
        .doOnSuccess(seq -> agents.stream().filter(agent -> settled.contains(agent.agentId()))
            .forEach(agent -> announced.put(agent.agentId(), agent.lastSeen())))
        .then();
  }
}
