package dev.orca.gateway.projection;

import dev.orca.gateway.notification.NotificationEvent;
import dev.orca.gateway.notification.NotificationQueue;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * RepositoryStatusChanged → the repository's sync status, error (null clears it), last sync,
 * last trigger and the note of the last outcome.
 */
final class RepositoryStatusWriter {

  private static final Logger log = LoggerFactory.getLogger(RepositoryStatusWriter.class);

  private final DatabaseClient db;

  private final ProjectionMetrics metrics;

  RepositoryStatusWriter(DatabaseClient db, ProjectionMetrics metrics) {
    this.db = db;
    this.metrics = metrics;
  }

  Mono<Void> apply(RepositoryStatusChanged event, ChangedEntities changes) {
    var id = Sql.uuid(event.getRepositoryId());
    if (id.isEmpty()) {
      log.warn("ignoring RepositoryStatusChanged for malformed repository id {}", event.getRepositoryId());
      return Mono.empty();
    }
    boolean outcome = event.getStatus() != RepositorySyncStatus.SYNCING;
    // The trigger is set by every change of a sync that carries it (writers before version 2
    // carry none and leave it); the note belongs to an outcome, so SYNCING leaves the last one.
    var spec = db.sql("UPDATE repositories SET sync_status = :status, last_sync_error = :error,"
            + " last_synced_at = COALESCE(:syncedAt, last_synced_at),"
            + " last_trigger = COALESCE(:trigger, last_trigger),"
            + " last_trigger_actor = CASE WHEN :trigger IS NULL THEN last_trigger_actor ELSE :actor END,"
            + " last_triggered_at = CASE WHEN :trigger IS NULL THEN last_triggered_at ELSE :triggeredAt END"
            + (outcome ? ", last_sync_note = :note" : "") + " WHERE id = :id")
        .bind("id", id.get())
        .bind("status", Sql.stored(event.getStatus()));
    spec = Sql.bind(spec, "error", event.getLastSyncError(), String.class);
    spec = Sql.bind(spec, "syncedAt", event.getLastSyncedAt(), Instant.class);
    spec = Sql.bind(spec, "trigger", event.getTrigger() == null ? null : Sql.stored(event.getTrigger()), String.class);
    spec = Sql.bind(spec, "actor", event.getActor(), String.class);
    spec = Sql.bind(spec, "triggeredAt", event.getTriggeredAt(), Instant.class);
    if (outcome) {
      spec = Sql.bind(spec, "note", event.getNote(), String.class);
    }
    return spec.fetch().rowsUpdated()
        .doOnNext(rows -> {
          if (rows > 0) {
            changes.changed("repository", event.getRepositoryId());
            if (outcome) {
              metrics.syncEnded(Sql.stored(event.getStatus()),
                  event.getTrigger() == null ? null : Sql.stored(event.getTrigger()));
            }
          }
        })
        .filter(rows -> rows > 0)
        .flatMap(rows -> notify(event, id.get()))
        .then();
  }

  /** A failed sync is told (the same error again is not, until a sync succeeds); a success ends that. */
  private Mono<Long> notify(RepositoryStatusChanged event, UUID id) {
    String subject = "repository:" + id;
    if (event.getStatus() == RepositorySyncStatus.SUCCESS) {
      return NotificationQueue.recovered(db, subject, NotificationEvent.SYNC_FAILED);
    }
    if (event.getStatus() != RepositorySyncStatus.FAILED) {
      return Mono.empty();
    }
    String error = event.getLastSyncError() != null ? event.getLastSyncError() : "sync failed";
    String sync = event.getSyncId() != null ? event.getSyncId() : String.valueOf(event.getAt().toEpochMilli());
    return NotificationQueue.enqueue(db, new NotificationQueue.Trigger(NotificationEvent.SYNC_FAILED,
        "sync:" + id + ":" + sync + ":failed", null, id, null, null, error, event.getAt(), subject, error));
  }
}
