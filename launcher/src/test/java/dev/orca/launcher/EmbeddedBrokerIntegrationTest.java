package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerIntegrationTest {

  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir
  Path dataDir;

  @Test
  void shouldKeepTopicsRecordsAndClusterIdAcrossRestart() throws Exception {
    Path logDir = dataDir.resolve("kafka");
    String clusterId;
    try (EmbeddedBroker broker = EmbeddedBroker.start(logDir, PortBook.freePort(), PortBook.freePort(), STARTUP)) {
      clusterId = broker.clusterId();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
        producer.send(new ProducerRecord<>("orders", "k1", "first")).get(30, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("orders", "k2", "second")).get(30, TimeUnit.SECONDS);
      }
      assertThat(readAll(broker.bootstrapServers(), "orders", 2)).containsExactly("first", "second");
    }
    assertThat(logDir.resolve("meta.properties")).exists();

    // New ports on purpose: persistence must not depend on the listeners staying put.
    try (EmbeddedBroker broker = EmbeddedBroker.start(logDir, PortBook.freePort(), PortBook.freePort(), STARTUP)) {
      assertThat(broker.clusterId()).isEqualTo(clusterId);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("orders");
      }
      assertThat(readAll(broker.bootstrapServers(), "orders", 2)).containsExactly("first", "second");
    }
  }

  @Test
  void shouldRefuseToCreateTopicsImplicitly() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir.resolve("kafka"), PortBook.freePort(), PortBook.freePort(), STARTUP);
         Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      try (KafkaConsumer<String, String> consumer = consumer(broker.bootstrapServers())) {
        consumer.subscribe(List.of("never-created"));
        consumer.poll(Duration.ofMillis(500));
      }
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("never-created");
    }
  }

  @Test
  void shouldFormatOnlyAnEmptyDirectory() throws Exception {
    Path logDir = dataDir.resolve("kafka");
    Files.createDirectories(logDir);
    String first = EmbeddedBroker.formatIfNeeded(logDir);
    String second = EmbeddedBroker.formatIfNeeded(logDir);
    assertThat(second).isEqualTo(first).isNotBlank();
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(String bootstrap) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "true"),
        new StringDeserializer(), new StringDeserializer());
  }

  private static List<String> readAll(String bootstrap, String topic, int expected) {
    List<String> values = new ArrayList<>();
    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
      consumer.subscribe(List.of(topic));
      while (values.size() < expected && System.nanoTime() < giveUp) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
