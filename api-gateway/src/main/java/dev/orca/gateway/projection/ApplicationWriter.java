package dev.orca.gateway.projection;

import dev.orca.gateway.notification.NotificationEvent;
import dev.orca.gateway.notification.NotificationQueue;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.crypto.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import reactor.core.publisher.Mono;

/**
 * Writes an application's status columns: the non-null parts of ApplicationStatusChanged, the
 * end of a removal (delete the row and tombstone its config, or record why it failed) and the
 * health its own agent reports. A row that no longer exists is left alone.
 */
final class ApplicationWriter {

  private static final Logger log = LoggerFactory.getLogger(ApplicationWriter.class);

  private final DatabaseClient db;
  private final SecretBox secrets;
  private final Topics topics;

  ApplicationWriter(DatabaseClient db, SecretBox secrets, Topics topics) {
    this.db = db;
    this.secrets = secrets;
    this.topics = topics;
  }

  Mono<Void> apply(ApplicationStatusChanged event, ChangedEntities changes) {
    Optional<UUID> id = Sql.uuid(event.getApplicationId());
    if (id.isEmpty()) {
      log.warn("ignoring ApplicationStatusChanged for malformed application id {}", event.getApplicationId());
      return Mono.empty();
    }
    return update(id.get(), event)
        .filter(rows -> rows > 0)
        .doOnNext(rows -> changes.changed("application", event.getApplicationId()))
        .then();
  }

  /** One statement (the projector's rate is its round trips): what to keep is decided in SQL. */
  private Mono<Long> update(UUID id, ApplicationStatusChanged event) {
    Update update = new Update();
    if (event.getSyncStatus() != null) {
      update.set("sync_status", Sql.stored(event.getSyncStatus()));
    }
    if (event.getHealthStatus() != null && event.getHealthAt() == null) {
      update.set("health_status", Sql.stored(event.getHealthStatus()));
    } else if (event.getHealthStatus() != null) {
      // A deployment's result reaches here through the dispatcher, its agent's health reports
      // straight from the agent: the newer observation wins whichever path was faster. Only the
      // application's own agent's: a result the dispatcher relays from the agent it just left is on
      // another clock. Never later than now, so an agent whose clock ran ahead and was set back is
      // not ignored until its clock catches up.
      String applies = "(health_observed_at IS NULL OR health_observed_at <= :healthAt)"
          + " AND COALESCE((SELECT d.agent_id FROM deployments d WHERE d.id = CAST(:healthDeployment AS text)),"
          + " agent_id) = agent_id";
      update.setExpression("health_status", "CASE WHEN " + applies + " THEN :health ELSE health_status END");
      update.setExpression("health_observed_at",
          "CASE WHEN " + applies + " THEN GREATEST(health_observed_at, LEAST(:healthAt, now()))"
              + " ELSE health_observed_at END");
      update.bindValue("health", Sql.stored(event.getHealthStatus()));
      update.bindValue("healthAt", event.getHealthAt());
      update.bindValue("healthDeployment", event.getDeploymentId(), String.class);
    }
    if (event.getCommit() != null) {
      update.set("commit_sha", event.getCommit());
      update.set("commit_message", event.getCommitMessage());
    }
    if (event.getLatestCommit() != null) {
      // Only while pinned: an unpin clears these, and a late event must not bring them back.
      update.setExpression("latest_commit_sha", "CASE WHEN pinned_deployment_id IS NULL THEN NULL ELSE :latest END");
      update.bindValue("latest", event.getLatestCommit());
      update.setExpression("latest_commit_message",
          "CASE WHEN pinned_deployment_id IS NULL THEN NULL ELSE :latestMessage END");
      update.bindValue("latestMessage", event.getLatestCommitMessage(), String.class);
      update.setExpression("commits_behind", "CASE WHEN pinned_deployment_id IS NULL THEN NULL ELSE :behind END");
      update.bindValue("behind", event.getCommitsBehind(), Integer.class);
    }
    if (event.getLastSyncedAt() != null) {
      update.set("last_synced_at", event.getLastSyncedAt());
    }
    if (event.getUpdateLastSyncError()) {
      update.set("last_sync_error", event.getLastSyncError());
    }
    if (event.getCompose() != null) {
      String digest = event.getComposeDigest() != null ? event.getComposeDigest() : sha256(event.getCompose());
      // Only a new digest moves the current file to previous: a replayed event must not
      // overwrite the previous file with the current one. (SET reads the row as it was.)
      update.setExpression("previous_compose_encrypted",
          "CASE WHEN compose_digest IS DISTINCT FROM :digest THEN compose_encrypted ELSE previous_compose_encrypted END");
      update.setExpression("compose_encrypted",
          "CASE WHEN compose_digest IS DISTINCT FROM :digest THEN :compose ELSE compose_encrypted END");
      update.setExpression("compose_digest", ":digest");
      update.bindValue("digest", digest);
      update.bindValue("compose", secrets.encrypt(event.getCompose()));
    }
    if (event.getDeploymentId() != null) {
      update.set("current_deployment_id", event.getDeploymentId());
    }
    update.setExpression("updated_at", "now()");
    return update.execute(db, "applications", "id", id);
  }

  Mono<Void> apply(ApplicationRemovalFinished event, ChangedEntities changes) {
    Optional<UUID> id = Sql.uuid(event.getApplicationId());
    if (id.isEmpty()) {
      log.warn("ignoring ApplicationRemovalFinished for malformed application id {}", event.getApplicationId());
      return Mono.empty();
    }
    return event.getRemoved() ? removed(id.get(), event, changes) : notRemoved(id.get(), event, changes);
  }

  /**
   * The stack is gone: drop the row (its deployments stay) and make the config topic forget it. A
   * removal the agent finished after it had timed out ({@code timedOut} as well) is logged as such.
   */
  private Mono<Void> removed(UUID id, ApplicationRemovalFinished event, ChangedEntities changes) {
    if (event.getTimedOut()) {
      log.info("application {} was removed late: {}", id, event.getError());
    }
    return db.sql("DELETE FROM applications WHERE id = :id")
        .bind("id", id)
        .fetch().rowsUpdated()
        .filter(rows -> rows > 0)
        .flatMap(rows -> db.sql("INSERT INTO outbox (topic, key, value) VALUES (:topic, :key, NULL)")
            .bind("topic", topics.configApplications().name())
            .bind("key", event.getApplicationId())
            .fetch().rowsUpdated())
        .doOnNext(rows -> changes.deleted("application", event.getApplicationId()))
        .then();
  }

  private Mono<Void> notRemoved(UUID id, ApplicationRemovalFinished event, ChangedEntities changes) {
    String error = event.getTimedOut()
        ? "removal timed out: " + Objects.requireNonNullElse(event.getError(), "no result before the deadline")
        : "removal failed: " + Objects.requireNonNullElse(event.getError(), "no reason given");
    // A late answer to an older removal must not cancel a newer one.
    // The outcome stays with the request id, so a waiting DELETE can answer 504 or 502.
    return db.sql("UPDATE applications SET last_sync_error = :error, removal_request_id = NULL,"
            + " removal_deadline = NULL, last_removal_request_id = :requestId, last_removal_timed_out = :timedOut,"
            + " updated_at = now()"
            + " WHERE id = :id AND (removal_request_id IS NULL OR removal_request_id = :requestId)")
        .bind("id", id)
        .bind("error", error)
        .bind("requestId", event.getRequestId())
        .bind("timedOut", event.getTimedOut())
        .fetch().rowsUpdated()
        .doOnNext(rows -> {
          if (rows > 0) {
            changes.changed("application", event.getApplicationId());
          }
        })
        .then();
  }

  /**
   * Health from an agent's events topic; it only changes applications assigned to that agent,
   * and only when it is newer than the health stored (observed by the agent at {@code at}): a
   * late report, or a deployment result the dispatcher relayed after a newer report, is older
   * news (observation times count at most up to now: an agent whose clock ran ahead and was set
   * back is heard again at once). A report naming drift turns a synced application out of sync with "drift: <what>" as
   * its error; a report without drift after one puts back what only the drift had changed. A
   * report that changes nothing is no event, and no write either, unless a deployment is in
   * flight or ended in the last two minutes: then it records when it was observed, against the
   * result the dispatcher relays.
   */
  Mono<Void> apply(String agentId, HealthReport report, ChangedEntities changes) {
    Optional<UUID> id = Sql.uuid(report.getApplicationId());
    if (id.isEmpty()) {
      log.warn("ignoring HealthReport from agent {} for malformed application id {}", agentId,
          report.getApplicationId());
      return Mono.empty();
    }
    String health = Sql.stored(report.getHealth());
    String drift = report.getDrift();
    // In SET, columns read the row as it was: every CASE sees the old values; the FROM's row is the
    // one before the update too (locked), so RETURNING says what the health was.
    GenericExecuteSpec update = db.sql("UPDATE applications SET health_status = :health,"
            + " sync_status = CASE"
            + "   WHEN CAST(:drift AS text) IS NOT NULL AND sync_status = 'synced' THEN 'out_of_sync'"
            + "   WHEN CAST(:drift AS text) IS NULL AND drift IS NOT NULL AND sync_status = 'out_of_sync'"
            + "     AND last_sync_error LIKE 'drift: %' THEN 'synced'"
            + "   ELSE sync_status END,"
            + " last_sync_error = CASE"
            + "   WHEN CAST(:drift AS text) IS NOT NULL AND (sync_status = 'synced' OR last_sync_error LIKE 'drift: %')"
            + "     THEN 'drift: ' || CAST(:drift AS text)"
            + "   WHEN CAST(:drift AS text) IS NULL AND last_sync_error LIKE 'drift: %' THEN NULL"
            + "   ELSE last_sync_error END,"
            + " drift = CAST(:drift AS text), health_observed_at = LEAST(CAST(:at AS timestamptz), now()),"
            + " updated_at = CASE WHEN health_status <> :health OR drift IS DISTINCT FROM CAST(:drift AS text)"
            + "   THEN now() ELSE updated_at END"
            + " FROM (SELECT id AS before_id, health_status AS before_health, drift AS before_drift FROM applications"
            + "   WHERE id = :id FOR UPDATE) prior"
            + " WHERE id = prior.before_id AND agent_id = :agentId"
            + " AND (health_observed_at IS NULL OR health_observed_at <= :at)"
            + " AND (health_status <> :health OR drift IS DISTINCT FROM CAST(:drift AS text)"
            // Unchanged, it only needs recording while a deployment's result may still be on its way
            // through the dispatcher (in flight, or just ended: its end is projected before the result's
            // health): otherwise a report is no write at all.
            + "   OR ((health_observed_at IS NULL OR health_observed_at < LEAST(CAST(:at AS timestamptz), now()))"
            + "     AND EXISTS (SELECT 1 FROM deployments d WHERE d.application_id = :id"
            + "       AND (d.state = 'in_progress' OR d.ended_at > now() - interval '2 minutes'))))"
            + " RETURNING prior.before_health, prior.before_drift")
        .bind("id", id.get())
        .bind("agentId", agentId)
        .bind("health", health)
        .bind("at", report.getAt());
    return Sql.bind(update, "drift", drift, String.class)
        .map(row -> new Prior(row.get("before_health", String.class), row.get("before_drift", String.class)))
        .one()
        .filter(before -> !health.equals(before.health()) || !Objects.equals(drift, before.drift()))
        .doOnNext(before -> changes.changed("application", report.getApplicationId()))
        .flatMap(before -> notifyHealth(id.get(), agentId, before.health(), health, report))
        .then();
  }

  /** What the health and drift were before a report's update. */
  private record Prior(String health, String drift) {}

  private static final java.util.Set<String> DEGRADED = java.util.Set.of("unhealthy", "missing");

  /**
   * Health that turns unhealthy or missing while no deployment of the application is in flight is
   * told (a deployment's own failure is told as that); turning healthy again ends it.
   */
  private Mono<Long> notifyHealth(UUID id, String agentId, String before, String now, HealthReport report) {
    String subject = "application:" + id;
    if ("healthy".equals(now)) {
      return NotificationQueue.recovered(db, subject, NotificationEvent.HEALTH_DEGRADED);
    }
    if (!DEGRADED.contains(now) || DEGRADED.contains(before)) {
      return Mono.empty();
    }
    return db.sql("SELECT EXISTS (SELECT 1 FROM deployments WHERE application_id = :id AND state = 'in_progress')"
            + " AS deploying")
        .bind("id", id)
        .map(row -> Boolean.TRUE.equals(row.get("deploying", Boolean.class)))
        .one()
        .flatMap(deploying -> deploying ? Mono.<Long>empty()
            : NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.HEALTH_DEGRADED,
                "health:" + id + ":" + now + ":" + report.getAt().toEpochMilli(), id, null, agentId, null, now,
                report.getAt(), subject, null)));
  }

  private static String sha256(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
