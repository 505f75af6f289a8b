package dev.orca.gateway.kafka;

import dev.orca.schemas.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends records through the shared producer. Every Mono completes only after the broker
 * acknowledged the record (acks=all), so an HTTP 202 built on it means the trigger is durable.
 */
@Component
public class KafkaPublisher {

  private final KafkaProducer<byte[], byte[]> producer;

  KafkaPublisher(KafkaProducer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public <K, V> Mono<Void> publish(Topic<K, V> topic, K key, V value) {
    return Mono.defer(() -> send(topic.record(key, value))).then();
  }

  /** Sends already serialised bytes, for the outbox relay. */
  public Mono<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    // send() may block up to max.block.ms fetching metadata, so it never runs on an event loop.
    return Mono.<RecordMetadata>create(sink -> producer.send(record, (metadata, failure) -> {
      if (failure != null) {
        sink.error(failure);
      } else {
        sink.success(metadata);
      }
    })).subscribeOn(Schedulers.boundedElastic());
  }
}
