package dev.orca.gateway.projection;

import org.apache.avro.specific.SpecificRecord;

/**
 * One decoded record of a batch. {@code agentId} is the owner of the events topic it came from
 * (null for {@code status}); it is taken from the topic name, never from the payload.
 */
record Projected(String topic, int partition, long offset, String agentId, SpecificRecord message) {

  String where() {
    return topic + "-" + partition + "@" + offset;
  }
}
