package dev.orca.gateway.agent;

import dev.orca.gateway.support.BackgroundLoop;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Finishes deleting agents on the broker, a step at a time, each idempotent (a broker that is
 * away, or two gateways doing it at once, only delay it; one agent that cannot move on holds back
 * no other).
 * <ol>
 *   <li>Once every task of the dispatcher (one per deploy-requests partition) said it sends the
 *   agent nothing more (the projector notes each in {@code retired_agent_partitions}), its
 *   commands topic is deleted: sooner, a command in flight could meet a topic that is gone. A
 *   retirement some task has not answered for 5 minutes is announced again (a dispatcher of an
 *   earlier version skipped it), with a warning.</li>
 *   <li>Once the dispatcher's relay and the projector have read every record of its events topic
 *   (nobody may write it any more), that topic is deleted: sooner, a result could be lost.</li>
 *   <li>Once neither group has had a partition of it assigned, with both settled, for
 *   {@code orca.agent-retirement-grace} (2 minutes: longer than a transaction's timeout plus a
 *   producer's longest wait, so no commit naming it is still being retried), every grant left on
 *   the agent's topics and group goes: sooner, an offset commit naming them would be refused as
 *   unauthorized.</li>
 * </ol>
 */
@Component
class AgentRetirements implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentRetirements.class);
  static final Duration EVERY = Duration.ofSeconds(2);
  static final Duration ANNOUNCE_AGAIN_AFTER = Duration.ofMinutes(5);
  private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(1);

  private final DatabaseClient db;
  private final AgentCredentials credentials;
  private final AgentStore store;
  private final Duration grace;
  private final BackgroundLoop loop = new BackgroundLoop("orca-agent-retirements", EVERY, log,
      "finishing the deletion of agents on the broker", this::advance);

  AgentRetirements(DatabaseClient db, AgentCredentials credentials, AgentStore store,
      @Value("${orca.agent-retirement-grace:PT2M}") Duration grace) {
    this.db = db;
    this.credentials = credentials;
    this.store = store;
    this.grace = grace;
  }

  private enum Step { ANNOUNCE_AGAIN, DELETE_COMMANDS, DELETE_EVENTS, REVOKE_GRANTS }

  /** {@code step} null: nothing to do yet (answers still coming). */
  private record Retired(String agentId, Step step, long answered, int partitions) {}

  /** Takes every retired agent one step further where it can; how many steps it took. */
  int advance() {
    Long steps = db.sql("SELECT r.agent_id, r.partitions, r.topics_deleted_at IS NOT NULL AS topics_deleted,"
            + " r.events_deleted_at IS NOT NULL AS events_deleted,"
            + " r.announced_at < now() - make_interval(secs => :again) AS silent,"
            + " (SELECT count(*) FROM retired_agent_partitions p WHERE p.agent_id = r.agent_id) AS answered"
            + " FROM retired_agents r")
        .bind("again", (double) ANNOUNCE_AGAIN_AFTER.toSeconds())
        .map(row -> {
          long answered = row.get("answered", Long.class);
          int partitions = row.get("partitions", Integer.class);
          Step step = Boolean.TRUE.equals(row.get("events_deleted", Boolean.class)) ? Step.REVOKE_GRANTS
              : Boolean.TRUE.equals(row.get("topics_deleted", Boolean.class)) ? Step.DELETE_EVENTS
              : answered >= partitions ? Step.DELETE_COMMANDS
              : Boolean.TRUE.equals(row.get("silent", Boolean.class)) ? Step.ANNOUNCE_AGAIN : null;
          return new Retired(row.get("agent_id", String.class), step, answered, partitions);
        })
        .all()
        .filter(retired -> retired.step() != null) // waiting for its answers
        .concatMap(retired -> step(retired)
            .onErrorResume(e -> {
              log.warn("agent {}: cannot {} yet, retrying every {} s: {}", retired.agentId(),
                  retired.step().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), EVERY.toSeconds(),
                  e.getMessage());
              return Mono.just(false);
            }))
        .filter(Boolean::booleanValue)
        .count()
        .block(BATCH_TIMEOUT);
    return steps == null ? 0 : steps.intValue();
  }

  private Mono<Boolean> step(Retired retired) {
    return switch (retired.step()) {
      case ANNOUNCE_AGAIN -> {
        log.warn("agent {} was deleted {} or more ago and {} of {} dispatcher tasks have said they send it nothing"
            + " more; telling them again (is every deploy-dispatcher of this version?)", retired.agentId(),
            ANNOUNCE_AGAIN_AFTER, retired.answered(), retired.partitions());
        yield store.announceRetirementAgain(retired.agentId()).thenReturn(true);
      }
      case DELETE_COMMANDS -> deleteCommands(retired.agentId());
      case DELETE_EVENTS -> deleteEvents(retired.agentId());
      case REVOKE_GRANTS -> revokeGrants(retired.agentId());
    };
  }

  private Mono<Boolean> deleteCommands(String agentId) {
    return credentials.deleteCommandsTopic(agentId)
        .then(db.sql("UPDATE retired_agents SET topics_deleted_at = now() WHERE agent_id = :id"
                + " AND topics_deleted_at IS NULL").bind("id", agentId).fetch().rowsUpdated())
        .doOnNext(updated -> {
          if (updated > 0) {
            log.info("agent {}: every dispatcher task sends it nothing more; its commands topic is deleted", agentId);
          }
        })
        .thenReturn(true);
  }

  private Mono<Boolean> deleteEvents(String agentId) {
    return credentials.eventsRead(agentId).flatMap(read -> !read ? Mono.just(false)
        : credentials.deleteEventsTopic(agentId)
            .then(db.sql("UPDATE retired_agents SET events_deleted_at = now() WHERE agent_id = :id"
                + " AND events_deleted_at IS NULL").bind("id", agentId).fetch().rowsUpdated())
            .doOnNext(updated -> {
              if (updated > 0) {
                log.info("agent {}: its events are all read; its events topic is deleted", agentId);
              }
            })
            .thenReturn(true));
  }

  private Mono<Boolean> revokeGrants(String agentId) {
    return credentials.stillConsumed(agentId).flatMap(consumed -> {
      if (consumed) {
        return db.sql("UPDATE retired_agents SET unassigned_since = NULL WHERE agent_id = :id").bind("id", agentId)
            .fetch().rowsUpdated().thenReturn(false);
      }
      return db.sql("UPDATE retired_agents SET unassigned_since = coalesce(unassigned_since, now())"
              + " WHERE agent_id = :id RETURNING unassigned_since < now() - make_interval(secs => :grace) AS long_enough")
          .bind("id", agentId).bind("grace", grace.toMillis() / 1000.0)
          .map(row -> Boolean.TRUE.equals(row.get("long_enough", Boolean.class)))
          .one()
          .defaultIfEmpty(false)
          .flatMap(longEnough -> !longEnough ? Mono.just(false) : credentials.revokeTopicGrants(agentId)
              .then(db.sql("DELETE FROM retired_agent_partitions WHERE agent_id = :id").bind("id", agentId)
                  .fetch().rowsUpdated())
              .then(db.sql("DELETE FROM retired_agents WHERE agent_id = :id").bind("id", agentId).fetch()
                  .rowsUpdated())
              .doOnNext(deleted -> log.info("agent {} is retired on the broker: its topics are gone, and every grant on them and its group",
                  agentId))
              .thenReturn(true));
    });
  }

  @Override
  public void start() {
    loop.start(EVERY);
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
