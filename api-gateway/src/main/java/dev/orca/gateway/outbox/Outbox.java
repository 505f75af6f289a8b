package dev.orca.gateway.outbox;

import dev.orca.schemas.Topic;
import java.time.Duration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Transactions for configuration writes. {@link #transaction} runs a unit of work in one R2DBC
 * transaction and wakes the relay after it committed; inside it, {@link #nextRevision} takes the
 * global configuration revision and {@link #append} queues a record (a null value is a
 * tombstone) for its topic.
 */
@Component
public class Outbox {

  private final DatabaseClient db;
  private final TransactionalOperator tx;
  private final OutboxRelay relay;

  Outbox(DatabaseClient db, ReactiveTransactionManager transactions, OutboxRelay relay) {
    this.db = db;
    this.tx = TransactionalOperator.create(transactions);
    this.relay = relay;
  }

  public <T> Mono<T> transaction(Mono<T> work) {
    return tx.transactional(work).doOnSuccess(ignored -> relay.kick());
  }

  public Mono<Long> nextRevision() {
    return db.sql("SELECT nextval('config_revision') AS revision")
        .map(row -> row.get("revision", Long.class))
        .one();
  }

  /** Queues the record and returns its outbox sequence number. */
  public <V> Mono<Long> append(Topic<String, V> topic, String key, V value) {
    byte[] bytes = topic.values().serializer().serialize(topic.name(), value);
    DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO outbox (topic, key, value) VALUES (:topic, :key, :value)"
            + " RETURNING seq")
        .bind("topic", topic.name())
        .bind("key", key);
    spec = bytes == null ? spec.bindNull("value", byte[].class) : spec.bind("value", bytes);
    return spec.map(row -> row.get("seq", Long.class)).one();
  }

  /**
   * Completes once the relay published the record queued as {@code seq}, or after
   * {@code atMost}; the record is durable either way, this only lets an answer say "published".
   */
  public Mono<Void> awaitPublished(long seq, Duration atMost) {
    return Mono.defer(() -> db.sql("SELECT EXISTS (SELECT 1 FROM outbox WHERE seq = :seq) AS pending")
            .bind("seq", seq).map(row -> row.get("pending", Boolean.class)).one())
        .flatMap(pending -> pending ? Mono.error(new Pending()) : Mono.<Void>empty())
        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(20)).filter(Pending.class::isInstance))
        .timeout(atMost, Mono.empty());
  }

  /**
   * Deletes the record queued as {@code seq} unless the relay already published it; true when
   * it was withdrawn. A send in flight holds the row lock, so this waits for its outcome.
   * Call it inside {@link #transaction} together with undoing what the record stood for.
   */
  public Mono<Boolean> withdraw(long seq) {
    return db.sql("DELETE FROM outbox WHERE seq = :seq").bind("seq", seq)
        .fetch().rowsUpdated().map(count -> count > 0);
  }

  private static final class Pending extends RuntimeException {
    Pending() {
      super(null, null, false, false);
    }
  }
}
