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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.CloseOptions;
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
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
 * had read it, when it read agents' events itself (before this relay existed), and that position
 * is committed for the relay's group at once; else at the beginning: an agent's first events may
 * be written before the pattern finds its topic. Such a partition, and one whose transaction's
 * outcome was unknown (a commit that timed out), is paused until it is settled from the group's
 * committed offset, so nothing is read twice or skipped.
 *
 * <p>Static membership ({@code <instance id>-relay}): a restarted instance takes its partitions
 * back at once; it leaves the group when closed.
 */
final class AgentReportRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentReportRelay.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  /**
   * The largest key and value copied: with the relay's header and a batch's overhead, within the
   * producer's request size (1 MiB) and the broker's default message size. An agent's producer
   * compresses nothing, so its own limit is about the same; a record beyond it (written
   * compressed by something else) is skipped with a warning rather than failing every
   * transaction after it. Agents write far smaller results.
   */
  static final int MAX_COPY_BYTES = 1_048_576 - 1_024;
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
   * Paused partitions to settle before they are read: each goes to its committed offset, else to
   * the fallback here. The loop thread's alone (the rebalance listener runs in its poll).
   */
  private final Map<TopicPartition, Fallback> unsettled = new HashMap<>();
  /** Whether the producer has a transaction begun and not yet committed or aborted. */
  private boolean transactionOpen;

  /** Where an unsettled partition goes when its group has no committed offset; {@code commit}: make it the group's. */
  private record Fallback(long offset, boolean commit) {}

  /**
   * {@code clientConfig}: bootstrap address and security, shared by its clients;
   * {@code instanceId}: this dispatcher instance's, for the transactional id and the static membership.
   */
  AgentReportRelay(Topics topics, Map<String, Object> clientConfig, String instanceId) {
    this.topics = topics;
    this.codec = topics.agentEventCodec();
    this.adminConfig = Map.copyOf(clientConfig);
    Map<String, Object> consumer = new HashMap<>(clientConfig);
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.dispatcherRelayGroup(topics));
    consumer.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId + "-relay");
    // A member that died (rather than restarted) holds its partitions this long.
    consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
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
      if (!readEarlierOffsets()) {
        return;
      }
      kafka.subscribe(topics.agentEventsPattern(), new SettleWhenAssigned(kafka));
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
        if (!unsettled.isEmpty()) {
          try {
            settle(kafka, producer);
          } catch (WakeupException e) {
            throw e;
          } catch (KafkaException e) {
            stopIfFenced(e);
            log.warn("agent report relay cannot settle where {} partitions start, retrying in {} ms: {}",
                unsettled.size(), loop.backoffMs(), e.getMessage());
            producer = abort(producer);
            loop.pause();
            if (producer == null) {
              continue;
            }
            // Polling goes on (those partitions stay paused): only a poll keeps this member in its group.
          }
        }
        ConsumerRecords<byte[], byte[]> records = loop.poll(kafka, POLL);
        if (records.isEmpty()) {
          continue;
        }
        try {
          relay(kafka, producer, records);
          loop.succeeded();
        } catch (KafkaException | IllegalStateException e) {
          stopIfFenced(e);
          log.warn("agent report relay could not copy {} records, will read them again in {} ms: {}", records.count(),
              loop.backoffMs(), e.getMessage());
          producer = abort(producer);
          if (producer != null) {
            ConsumerLoop.rewind(kafka, records);
          } else {
            // The transaction may yet commit (a commit that timed out): the next producer settles it,
            // then these partitions go on from what their group committed.
            unsettle(kafka, records);
          }
          loop.pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Fenced e) {
      log.error("agent report relay stops: another relay took its place ({}); two dispatcher instances must not"
          + " share ORCA_INSTANCE_ID or a state directory's host and path", e.getCause().toString());
    } catch (RuntimeException e) {
      log.error("agent report relay stopped unexpectedly", e);
    } finally {
      if (producer != null) {
        producer.close(CLOSE_TIMEOUT);
      }
      kafka.close(CloseOptions.timeout(CLOSE_TIMEOUT)
          .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
  }

  /** Thrown when another member with the same instance or transactional id fenced this one. */
  private static final class Fenced extends RuntimeException {
    Fenced(Throwable cause) {
      super(cause);
    }
  }

  /** A fenced relay stops: carrying on would only fence the other one in turn. */
  private static void stopIfFenced(RuntimeException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ProducerFencedException || cause instanceof FencedInstanceIdException) {
        throw new Fenced(cause);
      }
    }
  }

  private KafkaProducer<byte[], byte[]> newProducer() {
    transactionOpen = false;
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
    begin(producer);
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
    commit(producer);
  }

  /** Marked open first: a producer that cannot even begin one is then aborted, and so replaced. */
  private void begin(KafkaProducer<byte[], byte[]> producer) {
    transactionOpen = true;
    producer.beginTransaction();
  }

  private void commit(KafkaProducer<byte[], byte[]> producer) {
    producer.commitTransaction();
    transactionOpen = false;
  }

  /** Results and heartbeats; a record no Orca agent writes is left to the projector, which says so. */
  private boolean forwarded(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return false;
    }
    int size = record.value().length + (record.key() == null ? 0 : record.key().length);
    if (size > MAX_COPY_BYTES) {
      log.warn("agent report relay skips a record of {} bytes at {}-{}@{} (at most {})", size, record.topic(),
          record.partition(), record.offset(), MAX_COPY_BYTES);
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

  /**
   * Ends the open transaction, if any; a producer that cannot is closed (null: make a new one,
   * whose initialization settles the transaction either way).
   */
  private KafkaProducer<byte[], byte[]> abort(KafkaProducer<byte[], byte[]> producer) {
    if (!transactionOpen) {
      return producer;
    }
    transactionOpen = false;
    try {
      producer.abortTransaction();
      return producer;
    } catch (KafkaException | IllegalStateException e) {
      log.info("agent report relay replaces its producer: {}", e.toString());
      producer.close(Duration.ZERO);
      return null;
    }
  }

  /** Pauses a failed batch's partitions until settle() puts them where their group committed. */
  private void unsettle(KafkaConsumer<byte[], byte[]> kafka, ConsumerRecords<byte[], byte[]> records) {
    Set<TopicPartition> assigned = kafka.assignment();
    for (TopicPartition partition : records.partitions()) {
      if (assigned.contains(partition)) {
        unsettled.putIfAbsent(partition, new Fallback(records.records(partition).get(0).offset(), false));
      }
    }
    kafka.pause(unsettled.keySet());
  }

  /**
   * Puts every unsettled partition at its group's committed offset, else at its fallback (made
   * the group's own where asked), and resumes it. A failure leaves them all paused for the next try.
   */
  private void settle(KafkaConsumer<byte[], byte[]> kafka, KafkaProducer<byte[], byte[]> producer) {
    unsettled.keySet().retainAll(kafka.assignment());
    if (unsettled.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(unsettled.keySet()));
    Map<TopicPartition, OffsetAndMetadata> adopted = new HashMap<>();
    unsettled.forEach((partition, fallback) -> {
      OffsetAndMetadata offset = committed.get(partition);
      if (offset != null) {
        kafka.seek(partition, offset);
      } else {
        kafka.seek(partition, fallback.offset());
        if (fallback.commit()) {
          adopted.put(partition, new OffsetAndMetadata(fallback.offset()));
        }
      }
    });
    if (!adopted.isEmpty()) {
      begin(producer);
      producer.sendOffsetsToTransaction(adopted, kafka.groupMetadata());
      commit(producer);
      log.info("agent report relay starts {} partitions where the dispatcher had read them before it: {}",
          adopted.size(), adopted.keySet());
    }
    kafka.resume(unsettled.keySet());
    unsettled.clear();
  }

  /** Reads where the Streams application had read agents' events, retrying until it can or the relay closes. */
  private boolean readEarlierOffsets() {
    String streamsGroup = KafkaAccess.dispatcherApplicationId(topics);
    while (loop.running()) {
      try (Admin admin = Admin.create(adminConfig)) {
        Map<TopicPartition, OffsetAndMetadata> stable = eventOffsets(admin, streamsGroup, true);
        // A partition whose offset a transaction still holds is left out of a stable read, not
        // waited for: read again until every partition the plain read has is there.
        Map<TopicPartition, OffsetAndMetadata> any = eventOffsets(admin, streamsGroup, false);
        if (!stable.keySet().containsAll(any.keySet())) {
          throw new KafkaException("offsets of " + streamsGroup + " are still held by an open transaction");
        }
        earlierOffsets = Map.copyOf(stable);
        loop.succeeded();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof GroupIdNotFoundException) {
          earlierOffsets = Map.of();
          return true;
        }
        log.warn("agent report relay cannot read where the dispatcher had read agents' events, retrying in {} ms: {}",
            loop.backoffMs(), cause.toString());
        loop.pause();
      }
    }
    return false;
  }

  private Map<TopicPartition, OffsetAndMetadata> eventOffsets(Admin admin, String group, boolean stable)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, OffsetAndMetadata> events = new HashMap<>();
    admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(stable))
        .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((partition, offset) -> {
          if (offset != null && topics.agentOfEventsTopic(partition.topic()).isPresent()) {
            events.put(partition, offset);
          }
        });
    return events;
  }

  /** Pauses each newly assigned partition the Streams application had read, to settle it before it is read. */
  private final class SettleWhenAssigned implements ConsumerRebalanceListener {

    private final KafkaConsumer<byte[], byte[]> kafka;

    SettleWhenAssigned(KafkaConsumer<byte[], byte[]> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      List<TopicPartition> earlier = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = earlierOffsets.get(partition);
        if (offset != null) {
          unsettled.put(partition, new Fallback(offset.offset(), true));
          earlier.add(partition);
        }
      }
      kafka.pause(earlier);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Every batch commits before the next poll: nothing is pending here but what is still unsettled.
      unsettled.keySet().removeAll(partitions);
    }
  }
}
