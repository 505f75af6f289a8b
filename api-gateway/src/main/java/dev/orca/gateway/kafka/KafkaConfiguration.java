package dev.orca.gateway.kafka;

import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SecurityDisabledException;
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
  Admin kafkaAdmin(GatewayKafka kafka, Topics topics) {
    Admin admin = Admin.create(kafka.client(Map.of(
        AdminClientConfig.CLIENT_ID_CONFIG, "orca-gateway-admin",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000)));
    try {
      TopicAdmin.ensure(admin, topics.sharedTopics(), TOPIC_TIMEOUT);
      if (kafka.acls()) {
        requireAuthorizer(admin);
      }
    } catch (RuntimeException e) {
      admin.close(Duration.ofSeconds(1));
      throw e;
    }
    return admin;
  }

  /** Depends on the admin so the shared topics exist before the first send. */
  @Bean(destroyMethod = "close")
  KafkaProducer<byte[], byte[]> kafkaProducer(GatewayKafka kafka, Admin kafkaAdmin) {
    return new KafkaProducer<>(kafka.client(Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, "orca-gateway",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000)),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Agents are isolated by the broker's ACLs, so a broker without an authorizer is refused at
   * start (unless ORCA_KAFKA_ACLS=false says agents need no isolation): registering an agent
   * would otherwise hand out credentials that protect nothing.
   */
  private static void requireAuthorizer(Admin admin) {
    try {
      admin.describeAcls(AclBindingFilter.ANY).values().get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SecurityDisabledException) {
        throw new IllegalStateException("the Kafka broker has no authorizer, so agents could not be isolated from"
            + " each other: run it with KRaft's StandardAuthorizer (docs/security.md), or set ORCA_KAFKA_ACLS=false"
            + " to run without isolation", e.getCause());
      }
      throw new IllegalStateException("cannot read the broker's ACLs: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the broker's ACLs", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker did not list its ACLs within " + TOPIC_TIMEOUT, e);
    }
  }
}
