package dev.orca.agent;

import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.testsupport.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * One agent's topics on the shared broker, created for a fresh agent id: send commands (or raw
 * bytes) and read back every event the agent wrote.
 */
final class AgentTopics implements AutoCloseable {

  final Topics topics;
  final String agentId = "agent-" + UUID.randomUUID().toString().substring(0, 8);
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<SpecificRecord> events = new ArrayList<>();

  AgentTopics() {
    this(1);
  }

  /** With {@code partitions} partitions per topic; events are read from all of them. */
  AgentTopics(int partitions) {
    topics = new Topics("orca.", partitions, (short) 1);
    String bootstrap = SharedKafka.bootstrapServers();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicAdmin.ensure(admin, topics.agentTopics(agentId), Duration.ofSeconds(30));
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer = new KafkaProducer<>(p);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(c);
    List<TopicPartition> events = new ArrayList<>();
    for (int partition = 0; partition < partitions; partition++) {
      events.add(new TopicPartition(topics.agentEvents(agentId).name(), partition));
    }
    consumer.assign(events);
    consumer.seekToBeginning(events);
  }

  String bootstrap() {
    return SharedKafka.bootstrapServers();
  }

  void send(String key, SpecificRecord command) {
    sendRaw(key, topics.agentCommands(agentId).record(key, command).value());
  }

  void sendRaw(String key, byte[] value) {
    sendRaw(null, key, value);
  }

  /** Sends to the given partition of the commands topic, whatever the key hashes to. */
  void send(int partition, String key, SpecificRecord command) {
    sendRaw(partition, key, topics.agentCommands(agentId).record(key, command).value());
  }

  private void sendRaw(Integer partition, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topics.agentCommands(agentId).name(), partition, key.getBytes(), value))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every event so far, in order, after reading what arrived. */
  synchronized List<SpecificRecord> events() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      events.add(topics.agentEvents(agentId).value(r.value()));
    }
    return List.copyOf(events);
  }

  <T extends SpecificRecord> List<T> events(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Waits (at most {@code timeout}) for an event of {@code type} matching {@code match}. */
  <T extends SpecificRecord> T await(Class<T> type, Predicate<T> match, Duration timeout) {
    return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
        .until(() -> events(type).stream().filter(match).findFirst().orElse(null), e -> e != null);
  }

  long committedOffset(String groupId) {
    return committedOffset(groupId, 0);
  }

  long committedOffset(String groupId, int partition) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      var offsets = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      var meta = offsets.get(new TopicPartition(topics.agentCommands(agentId).name(), partition));
      return meta == null ? -1 : meta.offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(2));
    consumer.close(Duration.ofSeconds(2));
  }
}
