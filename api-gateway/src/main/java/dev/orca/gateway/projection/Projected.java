package dev.orca.gateway.projection;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One decoded record of a batch. {@code agentId} is the owner of the events topic it came from
 * (null for {@code status}); it is taken from the topic name, never from the payload.
 * {@code receivedAt} is when this gateway polled it: liveness is measured on this clock, never
 * on the sender's.
 */
record Projected(String topic, int partition, long offset, String agentId, SpecificRecord message,
    Instant receivedAt) {

  String where() {
    return topic + "-" + partition + "@" + offset;
  }
}
