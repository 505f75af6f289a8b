package dev.orca.gateway.eventlog;

import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Appends {@code events} rows inside the caller's transaction: takes the events lock (so seq
 * order is commit order for every writer), inserts one row per change and sends
 * {@code NOTIFY orca_events} with the highest seq, which PostgreSQL delivers at commit.
 */
public final class EventAppender {

  /** The advisory lock every events writer takes before inserting (478660485477). */
  public static final long EVENTS_LOCK = 0x6f72636165L;
  /** The channel every gateway LISTENs on. */
  public static final String CHANNEL = "orca_events";

  private EventAppender() {}

  /** Completes with the highest seq written, or 0 when there was nothing to write. */
  public static Mono<Long> append(DatabaseClient db, List<EntityChange> changes) {
    if (changes.isEmpty()) {
      return Mono.just(0L);
    }
    return db.sql("SELECT pg_advisory_xact_lock(:lock)").bind("lock", EVENTS_LOCK).then()
        .thenMany(Flux.fromIterable(changes).concatMap(change -> db.sql(
                "INSERT INTO events (entity, entity_id, deleted) VALUES (:entity, :id, :deleted) RETURNING seq")
            .bind("entity", change.entity())
            .bind("id", change.entityId())
            .bind("deleted", change.deleted())
            .map(row -> row.get("seq", Long.class))
            .one()))
        .reduce(0L, Math::max)
        .flatMap(seq -> db.sql("SELECT pg_notify('" + CHANNEL + "', :seq)")
            .bind("seq", Long.toString(seq))
            .then()
            .thenReturn(seq));
  }

  public static Mono<Long> append(DatabaseClient db, EntityChange change) {
    return append(db, List.of(change));
  }
}
