package dev.orca.testsupport;

import static org.awaitility.Awaitility.await;

import dev.orca.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer of one topic, from its beginning, in a group of its own, that keeps
 * every value it has seen with its key: what a test reads a component's output with.
 */
public final class TopicReader<V> implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);

  private final Topic<String, V> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Map.Entry<String, V>> seen = new ArrayList<>();

  public TopicReader(String bootstrapServers, Topic<String, V> topic) {
    this.topic = topic;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic.name()));
  }

  /** Polls once, then answers every value seen so far, in order. */
  public List<V> poll() {
    consumer.poll(POLL).forEach(r -> seen.add(Map.entry(topic.key(r.key()), topic.value(r.value()))));
    return seen.stream().map(Map.Entry::getValue).toList();
  }

  /** Polls once, then answers every value seen so far under this key, in order. */
  public List<V> poll(String key) {
    poll();
    return seen.stream().filter(e -> key.equals(e.getKey())).map(Map.Entry::getValue).toList();
  }

  /** Polls once, then answers the values of this type seen so far under this key. */
  public <T extends V> List<T> poll(String key, Class<T> type) {
    return poll(key).stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Waits, at most {@code deadline}, for a value of this type under this key, and answers the first. */
  public <T extends V> T awaitOne(String key, Class<T> type, Duration deadline) {
    await().atMost(deadline).until(() -> !poll(key, type).isEmpty());
    return poll(key, type).get(0);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
