package dev.orca.dispatch.state;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.avro.Deployment;
import dev.orca.dispatch.avro.HandoverRemoval;
import dev.orca.dispatch.avro.PendingRemoval;
import dev.orca.schemas.MessageCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the state store values, in the same single-object encoding as the topics. The nested
 * record types are registered too so Avro trusts them; states written by earlier versions of the
 * record are read through the released schemas under {@code /schemas/history}.
 */
public final class StateSerde implements Serde<ApplicationState> {

  private final MessageCodec<SpecificRecord> codec =
      new MessageCodec<>(ApplicationState.class, Deployment.class, PendingRemoval.class, HandoverRemoval.class);

  @Override
  public Serializer<ApplicationState> serializer() {
    return (topic, state) -> state == null ? null : codec.encode(state);
  }

  @Override
  public Deserializer<ApplicationState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : (ApplicationState) codec.decode(bytes);
  }
}
