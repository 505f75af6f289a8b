package dev.orca.gateway;

import dev.orca.schemas.Topic;
import dev.orca.testsupport.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.opentest4j.AssertionFailedError;

/** Reads a topic from its beginning with a real consumer until a record matches, or fails at the deadline. */
public final class TopicProbe {

  private TopicProbe() {}

  /** The key and decoded value (null for a tombstone) of one record, and the value's bytes as Kafka holds them. */
  public record Message<V>(String key, V value, int partition, long offset, byte[] rawValue) {}

  public static <V> Message<V> await(Topic<String, V> topic, BiPredicate<String, V> match) {
    return awaitAll(topic, match, 1).get(0);
  }

  /** Every matching record written so far (up to the end offsets when called). */
  public static <V> List<Message<V>> allSoFar(Topic<String, V> topic, BiPredicate<String, V> match) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Instant deadline = Instant.now().plus(GatewayTestSupport.DEADLINE);
      List<Message<V>> matched = new ArrayList<>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionFailedError("could not read " + topic.name() + " to its end within " + GatewayTestSupport.DEADLINE);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String key = topic.key(record.key());
          V value = topic.value(record.value());
          if (match.test(key, value)) {
            matched.add(new Message<>(key, value, record.partition(), record.offset(), record.value()));
          }
        }
      }
      return matched;
    }
  }

  /** Every matching record once at least {@code count} matched. */
  public static <V> List<Message<V>> awaitAll(Topic<String, V> topic, BiPredicate<String, V> match, int count) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Instant deadline = Instant.now().plus(GatewayTestSupport.DEADLINE);
      List<Message<V>> matched = new ArrayList<>();
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String key = topic.key(record.key());
          V value = topic.value(record.value());
          if (match.test(key, value)) {
            matched.add(new Message<>(key, value, record.partition(), record.offset(), record.value()));
          }
        }
        if (matched.size() >= count) {
          return matched;
        }
      }
      throw new AssertionFailedError("only " + matched.size() + " of " + count + " matching records on " + topic.name()
          + " within " + GatewayTestSupport.DEADLINE);
    }
  }
}
