package dev.orca.gateway.outbox;

import dev.orca.gateway.support.BackgroundLoop;
import dev.orca.gateway.kafka.KafkaPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publishes the outbox to the config topics in {@code seq} order: every ~100 ms and right after
 * a configuration write commits. One thread per gateway, and {@code FOR UPDATE} across gateways,
 * keep the order; rows are deleted only after Kafka acknowledged them, so a crash repeats a
 * snapshot (harmless: snapshots are absolute and carry their revision) but never loses one.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 200;
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);

  private final DatabaseClient db;
  private final TransactionalOperator tx;
  private final KafkaPublisher publisher;
  private final BackgroundLoop loop = new BackgroundLoop("orca-outbox-relay", Duration.ofMillis(100), LOG,
      "the outbox relay (publishing to Kafka)", this::drain);

  OutboxRelay(DatabaseClient db, ReactiveTransactionManager transactions, KafkaPublisher publisher) {
    this.db = db;
    this.tx = TransactionalOperator.create(transactions);
    this.publisher = publisher;
  }

  /** Asks for a drain soon; cheap and safe to call from any thread. */
  void kick() {
    // When stopping, the rows stay in the outbox for the next start.
    loop.runSoon();
  }

  /** When a batch last went through, or the relay started (System.nanoTime): what health reads. */
  private volatile long lastProgress = System.nanoTime();

  /** Publishes every row queued, a batch at a time. */
  private void drain() {
    int published;
    do {
      published = drainBatch();
      lastProgress = System.nanoTime();
    } while (published == BATCH); // a full batch: more may be waiting
  }

  /** Publishes one batch and deletes it; returns how many rows it published. */
  int drainBatch() {
    Integer published = tx.transactional(
        db.sql("SELECT seq, topic, key, value FROM outbox ORDER BY seq LIMIT " + BATCH + " FOR UPDATE")
            .map(row -> new Row(row.get("seq", Long.class), row.get("topic", String.class),
                row.get("key", String.class), row.get("value", byte[].class)))
            .all()
            .collectList()
            .flatMap(this::publishAndDelete))
        .block(BATCH_TIMEOUT);
    return published == null ? 0 : published;
  }

  private Mono<Integer> publishAndDelete(List<Row> rows) {
    if (rows.isEmpty()) {
      return Mono.just(0);
    }
    // By seq, not "seq <= last": a row with a lower seq may commit after this batch was read.
    Long[] seqs = rows.stream().map(Row::seq).toArray(Long[]::new);
    // concatMap: one record in flight at a time is simple and keeps order even if a send fails.
    return Flux.fromIterable(rows)
        .concatMap(row -> publisher.send(new ProducerRecord<>(row.topic(),
            row.key().getBytes(StandardCharsets.UTF_8), row.value())))
        .then(db.sql("DELETE FROM outbox WHERE seq = ANY(:seqs)").bind("seqs", seqs).fetch().rowsUpdated())
        .thenReturn(rows.size());
  }

  /**
   * Whether it works: it runs and a batch (read, published, deleted; a pass every ~100 ms) went
   * through within the last minute. False while every pass fails (the broker refuses the records,
   * say) or one hangs; a single failed pass is retried and does not count.
   */
  public boolean alive() {
    return loop.isRunning() && System.nanoTime() - lastProgress < Duration.ofMinutes(1).toNanos();
  }

  @Override
  public void start() {
    lastProgress = System.nanoTime();
    loop.start(Duration.ZERO);
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }

  private record Row(long seq, String topic, String key, byte[] value) {}
}
