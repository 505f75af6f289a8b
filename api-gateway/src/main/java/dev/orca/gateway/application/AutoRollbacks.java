package dev.orca.gateway.application;

import dev.orca.gateway.agent.AgentJson;
import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.audit.AuditLog;
import dev.orca.gateway.deployment.DeploymentContents;
import dev.orca.gateway.deployment.DeploymentStore;
import dev.orca.gateway.support.BackgroundLoop;
import dev.orca.gateway.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends the automatic rollbacks the projector queued ({@code auto_rollbacks}: a failed deployment
 * of an application that asks for them): the application is rolled back, as a rollback by hand
 * does it, to its newest deployment that succeeded before the failed one and whose contents are
 * recorded, and stays pinned there. Nothing is sent when a newer deployment followed the failed
 * one (it decides now), when the application is gone or being removed, or when no earlier
 * deployment succeeded. The rollback's id is derived from the failed deployment's, so a row sent
 * twice (a gateway stopped between the send and the row's removal, two gateways) is one rollback:
 * the dispatcher takes a deployment id once. Rows are leased, so several gateways share the work;
 * a row that keeps failing is given up after {@value #MAX_ATTEMPTS} attempts. What the projector
 * checked when it queued the row is checked again when it is sent: still asked for, not pinned
 * (a rollback by hand, or this one sent before), the agent online, no newer deployment.
 */
@Component
class AutoRollbacks implements SmartLifecycle {

  /** The actor of an automatic rollback, in the history and the audit log. */
  static final String ACTOR = "auto-rollback";
  static final int MAX_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(AutoRollbacks.class);
  private static final Duration EVERY = Duration.ofSeconds(1);
  /** Longer than a pass may take, so no other gateway takes a row while this one works on it. */
  private static final Duration LEASE = Duration.ofMinutes(3);
  private static final Duration PASS_TIMEOUT = Duration.ofMinutes(2);
  private static final int PER_PASS = 4;

  private final DatabaseClient db;
  private final ApplicationStore store;
  private final DeploymentStore deployments;
  private final DeploymentContents contents;
  private final AuditLog audit;
  private final AgentViews agents;
  private final BackgroundLoop loop = new BackgroundLoop("orca-auto-rollbacks", EVERY, log,
      "sending automatic rollbacks", this::pass);

  AutoRollbacks(DatabaseClient db, ApplicationStore store, DeploymentStore deployments, DeploymentContents contents,
      AuditLog audit, AgentViews agents) {
    this.agents = agents;
    this.db = db;
    this.store = store;
    this.deployments = deployments;
    this.contents = contents;
    this.audit = audit;
  }

  private record Queued(String failedDeploymentId, UUID applicationId, int attempts) {}

  /** Sends what is due; returns how many rows it finished (sent or given up). */
  int pass() {
    // Rows whose attempts all ended without an answer (a pass that timed out) are given up too.
    db.sql("DELETE FROM auto_rollbacks WHERE attempts >= :max AND (leased_until IS NULL OR leased_until < now())"
            + " RETURNING failed_deployment_id, application_id")
        .bind("max", MAX_ATTEMPTS)
        .map(row -> row.get("failed_deployment_id", String.class))
        .all()
        .doOnNext(failed -> log.error("giving up the automatic rollback after deployment {} ({} attempts)", failed,
            MAX_ATTEMPTS))
        .then()
        .block(PASS_TIMEOUT);
    Long finished = db.sql("UPDATE auto_rollbacks SET leased_until = now() + make_interval(secs => :lease),"
            + " attempts = attempts + 1 WHERE failed_deployment_id IN (SELECT failed_deployment_id FROM auto_rollbacks"
            + " WHERE leased_until IS NULL OR leased_until < now() ORDER BY queued_at LIMIT " + PER_PASS
            + " FOR UPDATE SKIP LOCKED) RETURNING failed_deployment_id, application_id, attempts")
        .bind("lease", (double) LEASE.toSeconds())
        .map(row -> new Queued(row.get("failed_deployment_id", String.class), row.get("application_id", UUID.class),
            row.get("attempts", Integer.class)))
        .all()
        .concatMap(queued -> rollBack(queued)
            .then(forget(queued))
            .onErrorResume(ApiException.class, e -> {
              log.warn("application {}: no automatic rollback after deployment {}: {}", queued.applicationId(),
                  queued.failedDeploymentId(), e.getMessage());
              return forget(queued);
            })
            .onErrorResume(e -> {
              if (queued.attempts() >= MAX_ATTEMPTS) {
                log.error("application {}: giving up the automatic rollback after deployment {} ({} attempts): {}",
                    queued.applicationId(), queued.failedDeploymentId(), queued.attempts(), e.toString());
                return forget(queued);
              }
              log.warn("application {}: the automatic rollback after deployment {} failed, retrying in {} s: {}",
                  queued.applicationId(), queued.failedDeploymentId(), LEASE.toSeconds(), e.toString());
              return Mono.empty();
            }))
        .count()
        .block(PASS_TIMEOUT);
    return finished == null ? 0 : finished.intValue();
  }

  private Mono<Boolean> forget(Queued queued) {
    return db.sql("DELETE FROM auto_rollbacks WHERE failed_deployment_id = :id")
        .bind("id", queued.failedDeploymentId()).fetch().rowsUpdated().thenReturn(true);
  }

  private Mono<Void> rollBack(Queued queued) {
    UUID applicationId = queued.applicationId();
    String failed = queued.failedDeploymentId();
    // Checked again when it is sent: the user may have rolled back, unpinned or switched it off
    // meanwhile (those also take the queued row away), or the agent gone offline.
    return store.find(applicationId)
        .filter(row -> !row.beingRemoved(java.time.Instant.now()) && row.settings().autoRollback()
            && row.pinned() == null)
        .filterWhen(row -> agents.find(row.agentId()).map(AgentJson::online).defaultIfEmpty(false))
        .flatMap(row -> newerThan(applicationId, failed).flatMap(newer -> {
          if (newer) {
            log.info("application {}: no automatic rollback after deployment {}: a newer deployment followed it",
                applicationId, failed);
            return Mono.<Void>empty();
          }
          return lastSucceededBefore(applicationId, failed)
              .flatMap(deployments::find)
              .switchIfEmpty(Mono.error(() -> new ApiException(org.springframework.http.HttpStatus.CONFLICT,
                  "no deployment before it succeeded with what it ran recorded")))
              .flatMap(target -> contents.find(applicationId, target.digest())
                  .flatMap(content -> store.rollback(applicationId, target, content, idAfter(failed), ACTOR))
                  .flatMap(seq -> audit.record(new AuditLog.Actor("system", ACTOR, "Orca"), "application.rollback",
                      "application", applicationId.toString(), "{\"deploymentId\":\"" + target.id()
                          + "\",\"after\":\"" + failed + "\",\"automatic\":true}", 202, null))
                  .doOnSuccess(done -> log.info("application {}: deployment {} failed; rolled back to deployment {}"
                      + " (commit {})", applicationId, failed, target.id(), target.commit())));
        }));
  }

  /** The rollback's deployment id: one per failed deployment, whoever sends it and however often. */
  static String idAfter(String failedDeploymentId) {
    return UUID.nameUUIDFromBytes(("auto-rollback:" + failedDeploymentId).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Whether a deployment of the application started after the failed one (or the failed one is unknown). */
  private Mono<Boolean> newerThan(UUID applicationId, String failed) {
    return db.sql("SELECT NOT EXISTS (SELECT 1 FROM deployments WHERE id = :failed)"
            + " OR EXISTS (SELECT 1 FROM deployments n, deployments f WHERE f.id = :failed"
            + " AND n.application_id = :application AND n.id <> f.id"
            + " AND (n.started_at, n.generation) > (f.started_at, f.generation)) AS newer")
        .bind("failed", failed).bind("application", applicationId)
        .map(row -> Boolean.TRUE.equals(row.get("newer", Boolean.class)))
        .one();
  }

  /** The newest deployment before the failed one that succeeded and whose contents are recorded. */
  private Mono<String> lastSucceededBefore(UUID applicationId, String failed) {
    return db.sql("SELECT d.id FROM deployments d, deployments f WHERE f.id = :failed"
            + " AND d.application_id = :application AND d.state = 'succeeded'"
            + " AND (d.started_at, d.generation) < (f.started_at, f.generation)"
            + " AND EXISTS (SELECT 1 FROM deployment_contents c WHERE c.application_id = d.application_id"
            + "   AND c.digest = d.digest)"
            + " ORDER BY d.started_at DESC, d.generation DESC LIMIT 1")
        .bind("failed", failed).bind("application", applicationId)
        .map(row -> row.get("id", String.class))
        .one();
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
