package dev.orca.agent.command;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.events.PublishException;
import dev.orca.agent.events.ResultWriter;
import dev.orca.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code agent.<id>.commands} (read_committed, manual commits) one record at a time and
 * commits each offset only after the command's result was written: at-least-once, with
 * repeats made harmless by {@link CommandHandler}. When a result cannot be written, every
 * partition of that poll is retried from its first unhandled record. Records are decoded here
 * with the topic's serdes so a poison record is logged with its position and skipped.
 */
public final class CommandLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);
  private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

  private final Topic<String, SpecificRecord> commands;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CommandHandler handler;
  private final Object busyLock = new Object();
  /** Per partition of the last poll, the offset of its first record not handled yet. */
  private final Map<TopicPartition, Long> pending = new HashMap<>();
  private volatile boolean running = true;
  private Thread worker;
  private boolean busy;

  public CommandLoop(String bootstrap, String groupId, Topic<String, SpecificRecord> commands,
      ComposeRuntime runtime, DeploymentsDir dirs, ResultWriter events) {
    this.commands = commands;
    this.handler = new CommandHandler(runtime, new DeploymentStateStore(dirs), events, Clock.systemUTC());
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A deploy may hold the loop until its deadline (default 5 minutes).
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(15).toMillis());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(props);
  }

  @Override
  public void run() {
    synchronized (busyLock) {
      worker = Thread.currentThread();
    }
    try {
      consumer.subscribe(List.of(commands.name()));
      while (running) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
          // The consumer's position is already past every record this poll returned.
          pending.clear();
          for (TopicPartition partition : records.partitions()) {
            pending.put(partition, records.records(partition).get(0).offset());
          }
          for (TopicPartition partition : records.partitions()) {
            if (!process(partition, records.records(partition))) {
              seekToPending();
              pause();
              break;
            }
          }
        } catch (WakeupException | InterruptException | AgentStoppingException e) {
          if (running) {
            log.error("Command loop interrupted unexpectedly; stopping", e);
          }
          return;
        } catch (RuntimeException e) {
          log.error("Command loop error; retrying from the last committed offsets: {}", e.getMessage(), e);
          rewind();
          pause();
        }
      }
    } finally {
      Thread.interrupted(); // close() itself must not be cut short by the stop signal
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /**
   * Seeks every partition of the last poll back to its first record not handled yet, so records
   * fetched for other partitions than the failing one are not skipped until a rebalance.
   */
  private void seekToPending() {
    Set<TopicPartition> assigned = consumer.assignment();
    pending.forEach((partition, offset) -> {
      if (assigned.contains(partition)) {
        consumer.seek(partition, offset);
      }
    });
  }

  /** After an unexpected error nothing past the committed offsets counts as done. */
  private void rewind() {
    try {
      Set<TopicPartition> assigned = consumer.assignment();
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(10));
      for (TopicPartition tp : assigned) {
        OffsetAndMetadata offset = committed.get(tp);
        if (offset == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, offset);
        }
      }
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (RuntimeException e) {
      log.warn("Cannot rewind to the committed offsets, retrying from the last poll's unhandled records: {}",
          e.getMessage());
      seekToPending();
    }
  }

  /**
   * Handles the partition's records in order, committing each; false when a result could not be
   * written, leaving that record as the partition's first pending one to retry from.
   */
  private boolean process(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (!running) {
        throw new AgentStoppingException();
      }
      SpecificRecord command = decode(record);
      if (command != null) {
        try {
          handle(command);
        } catch (PublishException e) {
          if (!running || Thread.currentThread().isInterrupted()) {
            throw new AgentStoppingException();
          }
          log.error("Cannot write the result of {} at {}-{} offset {}; retrying: {}", command.getClass().getSimpleName(),
              record.topic(), record.partition(), record.offset(), e.getMessage());
          return false;
        }
      }
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
      pending.put(partition, record.offset() + 1);
    }
    return true;
  }

  /** Runs the command where {@link #stop()} can interrupt it, and nowhere else. */
  private void handle(SpecificRecord command) {
    synchronized (busyLock) {
      if (!running) {
        throw new AgentStoppingException();
      }
      busy = true;
    }
    try {
      handler.handle(command);
    } finally {
      synchronized (busyLock) {
        busy = false;
      }
    }
  }

  /** The command, or null for a tombstone or a poison record (logged, then committed past). */
  private SpecificRecord decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return record.value() == null ? null : commands.value(record.value());
    } catch (SerializationException e) {
      log.error("Skipping unreadable record at {}-{} offset {}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return null;
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_BACKOFF.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentStoppingException();
    }
  }

  /** Stops polling; a command in progress is interrupted and will be redelivered. */
  public void stop() {
    running = false;
    consumer.wakeup();
    synchronized (busyLock) {
      if (busy) {
        worker.interrupt();
      }
    }
  }
}
