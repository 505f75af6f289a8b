package dev.orca.agent.events;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.agent.compose.Container;
import dev.orca.schemas.Topic;
import dev.orca.schemas.avro.ContainerState;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to {@code agent.<id>.events} with acks=all and idempotence. Results are written
 * synchronously (the command's offset is committed only after); health and heartbeats are
 * fire-and-forget because the next interval repeats them.
 */
public final class EventPublisher implements ResultWriter, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  private static final long SEND_TIMEOUT_SECONDS = 30;

  private final Topic<String, SpecificRecord> topic;
  private final KafkaProducer<byte[], byte[]> producer;
  /** Told of each record the broker acknowledged (the agent's metrics); none by default. */
  private volatile java.util.function.Consumer<SpecificRecord> written = record -> { };

  public EventPublisher(String bootstrap, Topic<String, SpecificRecord> topic, String clientId) {
    this(bootstrap, KafkaSecurity.plaintext(), topic, clientId);
  }

  public EventPublisher(String bootstrap, KafkaSecurity security, Topic<String, SpecificRecord> topic,
      String clientId) {
    this.topic = topic;
    Properties props = security.applyTo(new Properties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(props);
  }

  /**
   * Opens the connection to the broker now, on a thread of its own, so the first record does not
   * wait for it. A failure here is only logged: the first write meets it again and says so.
   */
  public void connectLater(java.util.concurrent.ThreadFactory threads) {
    threads.newThread(() -> {
      try {
        producer.partitionsFor(topic.name());
      } catch (RuntimeException e) {
        log.debug("Connecting to the broker ahead of the first record: {}", e.getMessage());
      }
    }).start();
  }

  /** Writes and waits for the broker's acknowledgement; throws {@link PublishException} otherwise. */
  @Override
  public void publish(String key, SpecificRecord value) {
    try {
      producer.send(topic.record(key, value)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while writing " + describe(value), e);
    } catch (ExecutionException | TimeoutException | InterruptException e) {
      throw new PublishException("cannot write " + describe(value) + " to " + topic.name() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new PublishException("cannot write " + describe(value) + " to " + topic.name() + ": " + e.getMessage(), e);
    }
    written.accept(value);
  }

  /** Writes without waiting; a failure is logged, the next interval sends a fresh one. */
  public void publishLater(String key, SpecificRecord value) {
    try {
      producer.send(topic.record(key, value), (metadata, error) -> {
        if (error != null) {
          log.warn("Cannot write {} to {}: {}", describe(value), topic.name(), error.getMessage());
        } else {
          written.accept(value);
        }
      });
    } catch (RuntimeException e) {
      log.warn("Cannot write {} to {}: {}", describe(value), topic.name(), e.getMessage());
    }
  }

  /** Tells {@code observer} of every record written from now on, and binds the producer's meters. */
  public void observe(java.util.function.Consumer<SpecificRecord> observer, dev.orca.schemas.metrics.MetricsEndpoint metrics) {
    metrics.follow(producer);
    this.written = observer;
  }

  public static List<ContainerState> containerStates(List<Container> containers) {
    return containers.stream().map(c -> ContainerState.newBuilder().setName(c.name()).setService(c.service())
        .setState(c.state() == null ? "unknown" : c.state()).setHealth(c.health()).setImage(c.image()).build())
        .toList();
  }

  private static String describe(SpecificRecord value) {
    return value.getClass().getSimpleName();
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(2));
  }
}
