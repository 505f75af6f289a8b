package dev.orca.gateway.projection;

import dev.orca.schemas.ConsumerLoop;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.SecretBox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Consumes {@code status}, {@code deploy-requests} (what each deployment runs, for rollbacks) and every
 * {@code agent.<id>.events} topic (group
 * {@code <prefix>projector}, read_committed) on its own thread and projects each poll batch
 * into PostgreSQL. Offsets are committed only after the batch's transaction committed; when the
 * database fails the batch is rewound and retried with back-off, so no event is lost.
 */
public final class Projector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Projector.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final long MIN_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Topics topics;
  private final Map<String, Object> config;
  private final RecordDecoder decoder;
  private final BatchProjection projection;
  private final ProjectionMetrics metrics;
  private volatile io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics clientMetrics;
  private final ConsumerLoop<byte[], byte[]> loop = new ConsumerLoop<>("orca-projector", log,
      Duration.ofMillis(MIN_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));

  public Projector(String bootstrapServers, Topics topics, DatabaseClient db, SecretBox secrets) {
    this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topics, db, secrets);
  }

  /** {@code client}: the bootstrap servers and the gateway's credential. */
  public Projector(Map<String, Object> client, Topics topics, DatabaseClient db, SecretBox secrets) {
    this(client, topics, db, secrets, ProjectionMetrics.none());
  }

  public Projector(Map<String, Object> client, Topics topics, DatabaseClient db, SecretBox secrets,
      ProjectionMetrics metrics) {
    this.topics = topics;
    this.metrics = metrics;
    this.decoder = new RecordDecoder(topics);
    this.projection = new BatchProjection(db, secrets, topics, metrics);
    this.config = new HashMap<>(client);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.projectorGroup(topics));
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaAccess.projectorGroup(topics));
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A newly registered agent's events topic is picked up within seconds.
    config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 3000);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
  }

  public void start() {
    loop.start(() -> {
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
      // Its fetch metrics (records-lag-max among them) in the registry, while it lives.
      if (clientMetrics != null) {
        clientMetrics.close();
      }
      clientMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
      clientMetrics.bindTo(metrics.registry());
      return consumer;
    }, this::run);
  }

  public boolean isRunning() {
    return loop.running();
  }

  /**
   * Whether it projects: its thread runs and made progress (a poll, a batch written, offsets
   * committed) within the longest one such step may take, and a back-off. A projector that died,
   * or hangs in one step, reads false.
   */
  public boolean alive() {
    return loop.alive(BATCH_TIMEOUT.plusMillis(MAX_BACKOFF_MS).plusSeconds(20));
  }

  @Override
  public void close() {
    loop.close(Duration.ofSeconds(30));
  }

  private void run(KafkaConsumer<byte[], byte[]> kafka) {
    Pattern subscription = Pattern.compile(
        Pattern.quote(topics.status().name()) + "|" + Pattern.quote(topics.deployRequests().name()) + "|"
            + topics.agentEventsPattern().pattern());
    try {
      kafka.subscribe(subscription);
      while (loop.running()) {
        ConsumerRecords<byte[], byte[]> records = loop.poll(kafka, POLL);
        if (records.isEmpty()) {
          continue;
        }
        if (project(records)) {
          loop.beat();
          commit(kafka, records);
          long oldest = Long.MAX_VALUE;
          for (ConsumerRecord<byte[], byte[]> record : records) {
            oldest = Math.min(oldest, record.timestamp());
          }
          metrics.lag(Duration.ofMillis(System.currentTimeMillis() - oldest));
          loop.beat();
          loop.succeeded();
        } else {
          ConsumerLoop.rewind(kafka, records);
          loop.pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("projector stopped unexpectedly", e);
    } finally {
      kafka.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    }
  }

  private boolean project(ConsumerRecords<byte[], byte[]> records) {
    List<Projected> batch = new ArrayList<>(records.count());
    Instant receivedAt = Instant.now();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      decoder.decode(record, receivedAt).ifPresent(batch::add);
    }
    if (batch.isEmpty()) {
      return true;
    }
    try {
      projection.apply(batch).block(BATCH_TIMEOUT);
      return true;
    } catch (RuntimeException e) {
      log.warn("cannot project a batch of {} records starting at {}, will retry: {}", batch.size(),
          batch.get(0).where(), e.toString());
      return false;
    }
  }

  private static void commit(KafkaConsumer<byte[], byte[]> kafka, ConsumerRecords<byte[], byte[]> records) {
    try {
      kafka.commitSync(ConsumerLoop.nextOffsets(records));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      // The batch is in the database; whoever owns the partitions now replays it harmlessly.
      log.warn("cannot commit projector offsets: {}", e.getMessage());
    }
  }
}
