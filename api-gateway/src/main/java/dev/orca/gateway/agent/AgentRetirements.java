package dev.orca.gateway.agent;

import dev.orca.gateway.support.BackgroundLoop;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Finishes deleting agents, in two steps, each idempotent (a broker that is away, or two gateways
 * doing it at once, only delay it). First, once every task of the dispatcher (one per
 * deploy-requests partition) said it sends the agent nothing more (the projector notes each in
 * {@code retired_agent_partitions}), its two topics are deleted: sooner, a command in flight
 * could meet a topic that is gone. Then, once neither the dispatcher's nor the projector's group
 * has a partition of them assigned any more (their pattern subscriptions drop a deleted topic at
 * their next rebalance), every grant left on them goes: sooner, an offset commit naming them
 * would be refused as unauthorized, which stops the dispatcher. Looks every few seconds.
 */
@Component
class AgentRetirements implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AgentRetirements.class);
  static final Duration EVERY = Duration.ofSeconds(2);
  private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(1);

  private final DatabaseClient db;
  private final AgentCredentials credentials;
  private final BackgroundLoop loop = new BackgroundLoop("orca-agent-retirements", EVERY, this::advanceSafely);
  /** Only the first failure of a streak is a warning. */
  private volatile boolean failing;

  AgentRetirements(DatabaseClient db, AgentCredentials credentials) {
    this.db = db;
    this.credentials = credentials;
  }

  /** Takes every retired agent one step further where it can; how many steps it took. */
  int advance() {
    Long steps = db.sql("SELECT r.agent_id, r.topics_deleted_at IS NOT NULL AS topics_deleted FROM retired_agents r"
            + " WHERE r.topics_deleted_at IS NOT NULL OR r.partitions <= (SELECT count(*) FROM"
            + " retired_agent_partitions p WHERE p.agent_id = r.agent_id)")
        .map(row -> new Retired(row.get("agent_id", String.class), Boolean.TRUE.equals(row.get("topics_deleted",
            Boolean.class))))
        .all()
        .concatMap(retired -> retired.topicsDeleted() ? revokeGrants(retired.agentId()) : deleteTopics(retired.agentId()))
        .filter(Boolean::booleanValue)
        .count()
        .block(BATCH_TIMEOUT);
    return steps == null ? 0 : steps.intValue();
  }

  private record Retired(String agentId, boolean topicsDeleted) {}

  private Mono<Boolean> deleteTopics(String agentId) {
    return credentials.deleteTopics(agentId)
        .then(db.sql("UPDATE retired_agents SET topics_deleted_at = now() WHERE agent_id = :id").bind("id", agentId)
            .fetch().rowsUpdated())
        .doOnNext(updated -> log.info("agent {}: every dispatcher task sends it nothing more; its topics are deleted",
            agentId))
        .thenReturn(true);
  }

  private Mono<Boolean> revokeGrants(String agentId) {
    return credentials.stillConsumed(agentId).flatMap(consumed -> consumed ? Mono.just(false)
        : credentials.revokeTopicGrants(agentId)
            .then(db.sql("DELETE FROM retired_agents WHERE agent_id = :id").bind("id", agentId).fetch().rowsUpdated())
            .doOnNext(deleted -> log.info("agent {} is gone from the broker: no grant is left on its topics", agentId))
            .thenReturn(true));
  }

  private void advanceSafely() {
    try {
      advance();
      if (failing) {
        failing = false;
        log.info("finishing the deletion of agents on the broker works again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("cannot finish deleting an agent from the broker yet, retrying every {} s: {}", EVERY.toSeconds(),
            e.getMessage());
      } else {
        log.debug("still cannot finish deleting an agent from the broker: {}", e.getMessage());
      }
    }
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
