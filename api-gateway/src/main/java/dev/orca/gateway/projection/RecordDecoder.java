package dev.orca.gateway.projection;

import dev.orca.schemas.MessageFormatException;
import dev.orca.schemas.Topics;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw records with their topic's serde, one at a time, so a poison record is logged
 * with its topic/partition/offset and skipped instead of blocking its partition.
 */
final class RecordDecoder {

  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

  private final Topics topics;

  RecordDecoder(Topics topics) {
    this.topics = topics;
  }

  Optional<Projected> decode(ConsumerRecord<byte[], byte[]> record, Instant receivedAt) {
    String topic = record.topic();
    try {
      if (topic.equals(topics.status().name())) {
        return projected(record, null, topics.status().value(record.value()), receivedAt);
      }
      if (topic.equals(topics.deployRequests().name())) {
        return projected(record, null, topics.deployRequests().value(record.value()), receivedAt);
      }
      Optional<String> agent = topics.agentOfEventsTopic(topic);
      if (agent.isEmpty()) {
        log.warn("skipping record {}-{}@{}: topic is neither status, deploy-requests nor an agent events topic",
            topic, record.partition(), record.offset());
        return Optional.empty();
      }
      return projected(record, agent.get(), topics.anyAgentEvents().value(record.value()), receivedAt);
    } catch (MessageFormatException e) {
      log.warn("skipping poison record {}-{}@{}: {}", topic, record.partition(), record.offset(), e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Projected> projected(ConsumerRecord<byte[], byte[]> record, String agentId,
      SpecificRecord message, Instant receivedAt) {
    if (message == null) {
      return Optional.empty(); // tombstones carry nothing to project
    }
    return Optional.of(new Projected(record.topic(), record.partition(), record.offset(), agentId, message,
        receivedAt));
  }
}
