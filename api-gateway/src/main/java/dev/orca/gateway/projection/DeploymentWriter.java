package dev.orca.gateway.projection;

import dev.orca.gateway.notification.NotificationEvent;
import dev.orca.gateway.notification.NotificationQueue;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * DeploymentChanged → the whole deployments row, inserted or replaced. History outlives the
 * application, so the row is written even when the application is already gone.
 */
final class DeploymentWriter {

  private static final Logger log = LoggerFactory.getLogger(DeploymentWriter.class);
  private static final java.util.Set<String> ENDED = java.util.Set.of("succeeded", "failed", "timed_out", "superseded");

  private final DatabaseClient db;
  private final ProjectionMetrics metrics;

  DeploymentWriter(DatabaseClient db, ProjectionMetrics metrics) {
    this.db = db;
    this.metrics = metrics;
  }

  Mono<Void> apply(DeploymentChanged event, ChangedEntities changes) {
    var applicationId = Sql.uuid(event.getApplicationId());
    if (applicationId.isEmpty()) {
      log.warn("ignoring DeploymentChanged {} for malformed application id {}", event.getDeploymentId(),
          event.getApplicationId());
      return Mono.empty();
    }
    // One statement, which also returns what the state was before (the CTE reads the row as it was):
    // a deployment is counted and told when it ends, not again when its end is replayed.
    var spec = db.sql("WITH before AS (SELECT state FROM deployments WHERE id = :id)"
            + " INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor,"
            + " commit_sha, digest, state, error, started_at, ended_at, deadline, updated_at)"
            + " VALUES (:id, :applicationId, :agentId, :generation, :reason, :actor, :commit, :digest, :state,"
            + " :error, :startedAt, :endedAt, :deadline, :at)"
            + " ON CONFLICT (id) DO UPDATE SET application_id = EXCLUDED.application_id,"
            + " agent_id = EXCLUDED.agent_id, generation = EXCLUDED.generation, reason = EXCLUDED.reason,"
            + " actor = EXCLUDED.actor, commit_sha = EXCLUDED.commit_sha, digest = EXCLUDED.digest,"
            + " state = EXCLUDED.state, error = EXCLUDED.error, started_at = EXCLUDED.started_at,"
            + " ended_at = EXCLUDED.ended_at, deadline = EXCLUDED.deadline, updated_at = EXCLUDED.updated_at"
            // The dispatcher's changes of one deployment arrive in its order on one partition; what a
            // replay or a late copy could still do is take an ended deployment back to in progress.
            + " WHERE NOT (deployments.state IN ('succeeded', 'failed', 'timed_out', 'superseded')"
            + " AND EXCLUDED.state = 'in_progress')"
            + " RETURNING coalesce((SELECT state FROM before), '') AS before")
        .bind("id", event.getDeploymentId())
        .bind("applicationId", applicationId.get())
        .bind("agentId", event.getAgentId())
        .bind("generation", event.getGeneration())
        .bind("reason", Sql.stored(event.getReason()))
        .bind("actor", event.getActor())
        .bind("commit", event.getCommit())
        .bind("digest", event.getDigest())
        .bind("state", Sql.stored(event.getState()))
        .bind("startedAt", event.getStartedAt())
        .bind("deadline", event.getDeadline())
        .bind("at", event.getAt());
    spec = Sql.bind(spec, "error", event.getError(), String.class);
    spec = Sql.bind(spec, "endedAt", event.getEndedAt(), Instant.class);
    String state = Sql.stored(event.getState());
    // No row back: the change was older news, not applied.
    return spec.map(row -> row.get("before", String.class)).one()
        .doOnNext(was -> {
          changes.changed("deployment", event.getDeploymentId());
          if (!state.equals(was) && ENDED.contains(state)) {
            metrics.deploymentEnded(state, Sql.stored(event.getReason()), event.getEndedAt() == null ? null
                : java.time.Duration.between(event.getStartedAt(), event.getEndedAt()));
          }
        })
        // Told when it ends, not again when its end is replayed, nor for a late older change.
        .flatMap(was -> state.equals(was) ? Mono.<Void>empty() : notify(event, applicationId.get()));
  }

  /** What a failure notification adds when the application rolls back by itself. */
  static final String AUTO_ROLLBACK_NOTE = " (Orca rolls the application back to the last deployment that succeeded)";

  private static String describe(DeploymentChanged event) {
    return event.getError() != null ? event.getError() : Sql.stored(event.getState());
  }

  /**
   * A failed deployment of an application that asks for it is queued for an automatic rollback,
   * in the transaction that records the failure, when a rollback can follow: an earlier deployment
   * succeeded and what it ran is recorded, no deployment followed the failed one, and the agent is
   * online. An agent that is offline says nothing about the stack (the dispatcher fails a deploy to
   * it at once, and the agent still applies the command when it returns): rolling back then would
   * undo the push it is about to apply. Never a failed rollback (that would go round in circles),
   * nor an application pinned or being removed. True when queued now or before.
   */
  private Mono<Boolean> queueAutoRollback(DeploymentChanged event, UUID applicationId) {
    if (event.getReason() == DeployReason.ROLLBACK) {
      return Mono.just(false);
    }
    return db.sql("INSERT INTO auto_rollbacks (failed_deployment_id, application_id)"
            + " SELECT f.id, a.id FROM applications a JOIN agents g ON g.id = a.agent_id"
            + " JOIN deployments f ON f.id = :deployment AND f.application_id = a.id"
            + " WHERE a.id = :application AND a.auto_rollback AND a.pinned_deployment_id IS NULL"
            + " AND (a.removal_request_id IS NULL OR a.removal_deadline < now())"
            + " AND g.last_seen >= now() - make_interval(secs => 3 * g.heartbeat_interval_seconds)"
            + " AND EXISTS (SELECT 1 FROM deployments d WHERE d.application_id = a.id AND d.state = 'succeeded'"
            + "   AND (d.started_at, d.generation) < (f.started_at, f.generation)"
            + "   AND EXISTS (SELECT 1 FROM deployment_contents c WHERE c.application_id = a.id AND c.digest = d.digest))"
            + " AND NOT EXISTS (SELECT 1 FROM deployments n WHERE n.application_id = a.id AND n.id <> f.id"
            + "   AND (n.started_at, n.generation) > (f.started_at, f.generation))"
            + " ON CONFLICT (failed_deployment_id) DO UPDATE SET failed_deployment_id = EXCLUDED.failed_deployment_id"
            + " RETURNING failed_deployment_id")
        .bind("deployment", event.getDeploymentId())
        .bind("application", applicationId)
        .map(row -> true)
        .one()
        .defaultIfEmpty(false);
  }

  /**
   * The notifications a deployment's end queues: succeeded (once per commit: the commit is the
   * fingerprint), failed or timed out (a repeat of the same error is not sent again until it changes
   * or a deployment succeeds), and image updated for an image update that succeeded.
   */
  private Mono<Void> notify(DeploymentChanged event, UUID applicationId) {
    String subject = "application:" + applicationId;
    String id = event.getDeploymentId();
    Instant at = event.getEndedAt() != null ? event.getEndedAt() : event.getAt();
    return switch (event.getState()) {
      case SUCCEEDED -> NotificationQueue.recovered(db, subject, NotificationEvent.DEPLOYMENT_FAILED)
          .then(NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.DEPLOYMENT_SUCCEEDED,
              "deployment:" + id + ":succeeded", applicationId, null, event.getAgentId(), id, null, at, subject,
              event.getCommit())))
          .then(event.getReason() != DeployReason.IMAGE_UPDATE ? Mono.empty()
              : NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.IMAGE_UPDATED,
                  "deployment:" + id + ":image_updated", applicationId, null, event.getAgentId(), id, null, at, subject,
                  null)))
          .then();
      case FAILED, TIMED_OUT -> queueAutoRollback(event, applicationId)
          .flatMap(rollingBack -> NotificationQueue.recovered(db, subject, NotificationEvent.DEPLOYMENT_SUCCEEDED)
              .then(NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.DEPLOYMENT_FAILED,
                  "deployment:" + id + ":" + Sql.stored(event.getState()), applicationId, null, event.getAgentId(), id,
                  rollingBack ? describe(event) + AUTO_ROLLBACK_NOTE : event.getError(), at, subject,
                  describe(event)))))
          .then();
      default -> Mono.empty();
    };
  }
}
