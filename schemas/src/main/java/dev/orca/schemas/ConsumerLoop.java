package dev.orca.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/**
 * The poll loop of a consumer outside Kafka Streams (the gateway's projector, the dispatcher's
 * relay) on a daemon thread of its own. Each start makes a new consumer; close wakes its poll and
 * any back-off, and waits (bounded) for the loop to end. The body polls while {@link #running()},
 * and closes the consumer when it ends.
 */
public final class ConsumerLoop<K, V> {

  /** What the thread runs with the consumer it was started with. */
  @FunctionalInterface
  public interface Body<K, V> {
    void run(KafkaConsumer<K, V> consumer);
  }

  private final String threadName;
  private final Logger log;
  private final long minBackoffMs;
  private final long maxBackoffMs;
  /** The loop thread's alone. */
  private long backoffMs;
  private volatile CountDownLatch stopping = new CountDownLatch(1);
  private volatile KafkaConsumer<K, V> consumer;
  private volatile boolean running;
  /** When the body last came back from a poll (System.nanoTime): a loop that stops polling is stuck. */
  private volatile long lastPolled = System.nanoTime();
  private volatile Thread thread;

  /** {@code log}: the owner's, for the failures the loop reports itself (a failed poll). */
  public ConsumerLoop(String threadName, Logger log, Duration minBackoff, Duration maxBackoff) {
    this.threadName = threadName;
    this.log = log;
    this.minBackoffMs = minBackoff.toMillis();
    this.maxBackoffMs = maxBackoff.toMillis();
    this.backoffMs = minBackoffMs;
  }

  /**
   * Starts the loop unless it runs already. A loop closed but not yet ended (its body was still
   * in a blocking call) is waited for first, so two never share the consumer group.
   */
  public synchronized void start(Supplier<KafkaConsumer<K, V>> newConsumer, Body<K, V> body) {
    if (thread != null && running) {
      return;
    }
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        throw new IllegalStateException(threadName + " is still stopping");
      }
    }
    stopping = new CountDownLatch(1);
    backoffMs = minBackoffMs;
    lastPolled = System.nanoTime();
    KafkaConsumer<K, V> kafka = newConsumer.get();
    consumer = kafka;
    running = true;
    thread = new Thread(() -> {
      try {
        body.run(kafka);
      } finally {
        running = false;
      }
    }, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** False once closing, or once the body ended. */
  public boolean running() {
    return running;
  }

  /** Marks progress besides polls: a body calls it after a long step (a batch written, offsets committed). */
  public void beat() {
    lastPolled = System.nanoTime();
  }

  /**
   * Whether the loop runs and came back from a poll (or {@link #beat}) within {@code stalledAfter}: false when its
   * thread ended (a failure it did not survive) or is stuck in one batch.
   */
  public boolean alive(Duration stalledAfter) {
    Thread current = thread;
    return running && current != null && current.isAlive()
        && System.nanoTime() - lastPolled < stalledAfter.toNanos();
  }

  /**
   * Ends the loop: wakes its poll or back-off and waits up to {@code wait} for it (a body blocked
   * elsewhere may outlast that; the next start waits for it).
   */
  public synchronized void close(Duration wait) {
    if (thread == null) {
      return;
    }
    running = false;
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      thread = null;
    }
  }

  /**
   * Polls once. A failure is logged and backed off from, and reads as an empty batch; a wake-up
   * (closing) is thrown, and so is being fenced by another member with the same instance id.
   */
  public ConsumerRecords<K, V> poll(KafkaConsumer<K, V> consumer, Duration timeout) {
    try {
      ConsumerRecords<K, V> records = consumer.poll(timeout);
      lastPolled = System.nanoTime();
      return records;
    } catch (WakeupException | FencedInstanceIdException e) {
      throw e;
    } catch (KafkaException e) {
      lastPolled = System.nanoTime();
      log.warn("{}: poll failed, retrying in {} ms: {}", threadName, backoffMs, e.getMessage());
      pause();
      return ConsumerRecords.empty();
    }
  }

  /** How long the next {@link #pause()} waits. */
  public long backoffMs() {
    return backoffMs;
  }

  /** Waits the back-off unless closing, and doubles it (up to the maximum) for the next failure. */
  public void pause() {
    try {
      stopping.await(backoffMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
  }

  /** After a success: the next failure backs off from the minimum again. */
  public void succeeded() {
    backoffMs = minBackoffMs;
  }

  /** Where each partition of a handled batch continues: its last record's offset plus one. */
  public static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<?, ?> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<? extends ConsumerRecord<?, ?>> list = records.records(partition);
      offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /**
   * Seeks every partition of a batch that could not be handled back to its first record, so the
   * next poll reads it again. A partition no longer assigned (its topic deleted, or moved to
   * another member) is read from its committed offset by whoever has it; seeking it would throw.
   */
  public static void rewind(Consumer<?, ?> consumer, ConsumerRecords<?, ?> records) {
    Set<TopicPartition> assigned = consumer.assignment();
    for (TopicPartition partition : records.partitions()) {
      if (assigned.contains(partition)) {
        consumer.seek(partition, records.records(partition).get(0).offset());
      }
    }
  }
}
