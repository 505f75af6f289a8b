package dev.orca.gateway.kafka;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The admin client (which creates the shared topics before anything publishes) and the one
 * idempotent, acks=all producer of the gateway.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

  static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  @Bean(destroyMethod = "close")
  Admin kafkaAdmin(OrcaProperties properties, Topics topics) {
    Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafkaBootstrap(),
        AdminClientConfig.CLIENT_ID_CONFIG, "orca-gateway-admin",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    try {
      TopicAdmin.ensure(admin, topics.sharedTopics(), TOPIC_TIMEOUT);
    } catch (RuntimeException e) {
      admin.close(Duration.ofSeconds(1));
      throw e;
    }
    return admin;
  }

  /** Depends on the admin so the shared topics exist before the first send. */
  @Bean(destroyMethod = "close")
  KafkaProducer<byte[], byte[]> kafkaProducer(OrcaProperties properties, Admin kafkaAdmin) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafkaBootstrap(),
        ProducerConfig.CLIENT_ID_CONFIG, "orca-gateway",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000),
        new ByteArraySerializer(), new ByteArraySerializer());
  }
}
