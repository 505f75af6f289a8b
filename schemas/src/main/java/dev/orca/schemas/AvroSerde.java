package dev.orca.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde over a {@link MessageCodec}; a null value is a tombstone both ways. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final MessageCodec<T> codec;

  public AvroSerde(MessageCodec<T> codec) {
    this.codec = codec;
  }

  @SafeVarargs
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<? extends T>... types) {
    return new AvroSerde<>(new MessageCodec<>(types));
  }

  public MessageCodec<T> codec() {
    return codec;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : codec.encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
  }
}
