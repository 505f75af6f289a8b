package dev.orca.gateway.events;

import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads the {@code events} table in seq order, a page at a time. */
final class EventLog {

  static final int PAGE = 500;

  private final DatabaseClient db;

  EventLog(DatabaseClient db) {
    this.db = db;
  }

  Mono<Long> maxSeq() {
    return db.sql("SELECT coalesce(max(seq), 0) AS seq FROM events")
        .map(row -> row.get("seq", Long.class))
        .one();
  }

  /** The oldest seq kept, empty when the log is empty. */
  Mono<Long> minSeq() {
    return db.sql("SELECT min(seq) AS seq FROM events").map(row -> java.util.Optional.ofNullable(row.get("seq", Long.class)))
        .one().flatMap(Mono::justOrEmpty);
  }

  /** Deletes the rows older than {@code retention} (never the newest); returns how many went. */
  Mono<Long> prune(java.time.Duration retention) {
    // A prefix by seq (commit order may differ from the time a row was stamped with), always below
    // the newest row: a client's id is either inside what is kept or before all of it.
    return db.sql("DELETE FROM events WHERE seq < coalesce((SELECT min(seq) FROM events"
            + " WHERE at >= now() - make_interval(secs => :secs)), (SELECT max(seq) FROM events))")
        .bind("secs", (double) retention.toSeconds())
        .fetch().rowsUpdated();
  }

  /** At most one page of rows with seq greater than {@code after}. */
  Mono<List<EventRow>> page(long after) {
    return db.sql("SELECT seq, entity, entity_id, deleted FROM events WHERE seq > :after ORDER BY seq LIMIT "
            + PAGE)
        .bind("after", after)
        .map(row -> new EventRow(row.get("seq", Long.class), row.get("entity", String.class),
            row.get("entity_id", String.class), Boolean.TRUE.equals(row.get("deleted", Boolean.class))))
        .all()
        .collectList();
  }

  /** Every row with {@code after < seq <= upTo}, in order. */
  Flux<EventRow> between(long after, long upTo) {
    if (after >= upTo) {
      return Flux.empty();
    }
    return page(after)
        .expand(rows -> rows.size() == PAGE && rows.get(rows.size() - 1).seq() < upTo
            ? page(rows.get(rows.size() - 1).seq())
            : Mono.empty())
        .flatMapIterable(rows -> rows)
        .takeWhile(row -> row.seq() <= upTo);
  }
}
