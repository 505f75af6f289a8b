package dev.orca.dispatch;

import dev.orca.schemas.ConsumerLoop;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.MessageCodec;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RemoveResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies what the dispatcher needs of every agent's events topic (results and heartbeats) into
 * agent-reports, naming the agent the topic belongs to in a header, exactly once: each poll's
 * copies and the relay group's offsets commit in one transaction. Health reports and image
 * updates are the projector's alone and stay behind.
 *
 * <p>It exists so that the dispatcher's Kafka Streams application reads no topic by pattern: a
 * deleted agent's events topic is deleted, and Kafka Streams (4.1) does not survive a
 * pattern-subscribed topic deleted under it (measured: a task checking its position for a
 * partition the consumer no longer had stopped the dispatcher; another run stalled it 15 s). For
 * this plain consumer a deleted topic only ends its partitions' assignment.
 *
 * <p>A partition its group never committed starts where the dispatcher's Streams application
 * had read it, when it read agents' events itself (before this relay existed), else at the
 * beginning: an agent's first events may be written before the pattern finds its topic.
 */
final class AgentReportRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentReportRelay.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final Set<Class<?>> DISPATCHER_NEEDS = Set.of(DeployResult.class, RemoveResult.class, Heartbeat.class);

  private final Topics topics;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> producerConfig;
  private final Map<String, Object> adminConfig;
  private final MessageCodec<SpecificRecord> codec;
  private final ConsumerLoop<byte[], byte[]> loop = new ConsumerLoop<>("orca-agent-report-relay", log,
      Duration.ofMillis(MIN_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));
  /** Where the dispatcher's Streams application had read each events partition, before this relay. */
  private Map<TopicPartition, OffsetAndMetadata> earlierOffsets = Map.of();

  /**
   * {@code clientConfig}: bootstrap address and security, shared by its clients;
   * {@code instanceId}: this dispatcher instance's, for the transactional id.
   */
  AgentReportRelay(Topics topics, Map<String, Object> clientConfig, String instanceId) {
    this.topics = topics;
    this.codec = topics.agentEventCodec();
    this.adminConfig = Map.copyOf(clientConfig);
    Map<String, Object> consumer = new HashMap<>(clientConfig);
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.dispatcherRelayGroup(topics));
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // New agents' events topics are found through metadata refreshes of the pattern subscription.
    consumer.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 3000);
    consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaAccess.dispatcherRelayGroup(topics) + "-" + instanceId);
    this.consumerConfig = Map.copyOf(consumer);
    Map<String, Object> producer = new HashMap<>(clientConfig);
    producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaAccess.dispatcherRelayTransactionalId(topics, instanceId));
    producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    this.producerConfig = Map.copyOf(producer);
  }

  void start() {
    earlierOffsets = earlierOffsets();
    loop.start(() -> new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        this::run);
  }

  boolean isRunning() {
    return loop.running();
  }

  @Override
  public void close() {
    loop.close(Duration.ofSeconds(30));
  }

  private void run(KafkaConsumer<byte[], byte[]> kafka) {
    KafkaProducer<byte[], byte[]> producer = null;
    try {
      kafka.subscribe(topics.agentEventsPattern(), new StartWhereStreamsLeftOff(kafka));
      while (loop.running()) {
        if (producer == null) {
          try {
            producer = newProducer();
          } catch (KafkaException e) {
            log.warn("agent report relay cannot start its transactions, retrying in {} ms: {}", loop.backoffMs(),
                e.getMessage());
            loop.pause();
            continue;
          }
        }
        ConsumerRecords<byte[], byte[]> records = loop.poll(kafka, POLL);
        if (records.isEmpty()) {
          continue;
        }
        try {
          relay(kafka, producer, records);
          loop.succeeded();
        } catch (KafkaException e) {
          log.warn("agent report relay could not copy {} records, will read them again in {} ms: {}", records.count(),
              loop.backoffMs(), e.getMessage());
          producer = abort(producer);
          ConsumerLoop.rewind(kafka, records);
          loop.pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("agent report relay stopped unexpectedly", e);
    } finally {
      if (producer != null) {
        producer.close(CLOSE_TIMEOUT);
      }
      kafka.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(CLOSE_TIMEOUT));
    }
  }

  private KafkaProducer<byte[], byte[]> newProducer() {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
      return producer;
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  private void relay(KafkaConsumer<byte[], byte[]> kafka, KafkaProducer<byte[], byte[]> producer,
      ConsumerRecords<byte[], byte[]> records) {
    producer.beginTransaction();
    for (TopicPartition partition : records.partitions()) {
      Optional<String> agent = topics.agentOfEventsTopic(partition.topic());
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (agent.isPresent() && forwarded(record)) {
          RecordHeaders headers = new RecordHeaders();
          headers.add(Topics.AGENT_HEADER, agent.get().getBytes(StandardCharsets.UTF_8));
          producer.send(new ProducerRecord<>(topics.agentReports().name(), null, record.timestamp(), record.key(),
              record.value(), headers));
        }
      }
    }
    producer.sendOffsetsToTransaction(ConsumerLoop.nextOffsets(records), kafka.groupMetadata());
    producer.commitTransaction();
  }

  /** Results and heartbeats; a record no Orca agent writes is left to the projector, which says so. */
  private boolean forwarded(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return false;
    }
    Optional<Class<? extends SpecificRecord>> type = codec.typeOf(record.value());
    if (type.isEmpty()) {
      log.warn("agent report relay skips an unreadable record at {}-{}@{}", record.topic(), record.partition(),
          record.offset());
      return false;
    }
    return DISPATCHER_NEEDS.contains(type.get());
  }

  /** Ends the open transaction; a producer that cannot is replaced (null: make a new one). */
  private static KafkaProducer<byte[], byte[]> abort(KafkaProducer<byte[], byte[]> producer) {
    try {
      producer.abortTransaction();
      return producer;
    } catch (KafkaException | IllegalStateException e) {
      log.info("agent report relay replaces its producer: {}", e.toString());
      producer.close(Duration.ZERO);
      return null;
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> earlierOffsets() {
    String streamsGroup = KafkaAccess.dispatcherApplicationId(topics);
    try (Admin admin = Admin.create(adminConfig)) {
      Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(streamsGroup)
          .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> events = new HashMap<>();
      all.forEach((partition, offset) -> {
        if (offset != null && topics.agentOfEventsTopic(partition.topic()).isPresent()) {
          events.put(partition, offset);
        }
      });
      return Map.copyOf(events);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } catch (Exception e) {
      // Nothing to go on: a partition nobody committed is read from its beginning.
      log.debug("no earlier offsets of {}: {}", streamsGroup, e.toString());
      return Map.of();
    }
  }

  /** Seeks a newly assigned partition its group never committed to where the Streams application left it. */
  private final class StartWhereStreamsLeftOff implements ConsumerRebalanceListener {

    private final KafkaConsumer<byte[], byte[]> kafka;

    StartWhereStreamsLeftOff(KafkaConsumer<byte[], byte[]> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (earlierOffsets.isEmpty() || partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(partitions));
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata earlier = earlierOffsets.get(partition);
        if (committed.get(partition) == null && earlier != null) {
          kafka.seek(partition, earlier);
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Every batch commits before the next poll: nothing is pending here.
    }
  }
}
