package dev.orca.gateway.projection;

import dev.orca.schemas.avro.RepositoryStatusChanged;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/** RepositoryStatusChanged → the repository's sync status, error (null clears it) and last sync. */
final class RepositoryStatusWriter {

  private static final Logger log = LoggerFactory.getLogger(RepositoryStatusWriter.class);

  private final DatabaseClient db;

  RepositoryStatusWriter(DatabaseClient db) {
    this.db = db;
  }

  Mono<Void> apply(RepositoryStatusChanged event, ChangedEntities changes) {
    var id = Sql.uuid(event.getRepositoryId());
    if (id.isEmpty()) {
      log.warn("ignoring RepositoryStatusChanged for malformed repository id {}", event.getRepositoryId());
      return Mono.empty();
    }
    var spec = db.sql("UPDATE repositories SET sync_status = :status, last_sync_error = :error,"
            + " last_synced_at = COALESCE(:syncedAt, last_synced_at) WHERE id = :id")
        .bind("id", id.get())
        .bind("status", Sql.stored(event.getStatus()));
    spec = Sql.bind(spec, "error", event.getLastSyncError(), String.class);
    spec = Sql.bind(spec, "syncedAt", event.getLastSyncedAt(), Instant.class);
    return spec.fetch().rowsUpdated()
        .doOnNext(rows -> {
          if (rows > 0) {
            changes.changed("repository", event.getRepositoryId());
          }
        })
        .then();
  }
}
