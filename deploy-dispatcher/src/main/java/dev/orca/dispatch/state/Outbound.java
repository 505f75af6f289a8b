package dev.orca.dispatch.state;

import org.apache.avro.specific.SpecificRecord;

/** One message to publish: a command to {@code agentId}'s commands topic, or a status event when agentId is null. */
public record Outbound(String agentId, SpecificRecord message) {

  public boolean isCommand() {
    return agentId != null;
  }
}
