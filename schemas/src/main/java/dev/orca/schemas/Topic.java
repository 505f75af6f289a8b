package dev.orca.schemas;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A topic with the serdes of its keys and values. Names come only from {@link Topics}. */
public record Topic<K, V>(String name, Serde<K> keys, Serde<V> values) {

  public Consumed<K, V> consumed() {
    return Consumed.with(keys, values);
  }

  public Produced<K, V> produced() {
    return Produced.with(keys, values);
  }

  public ProducerRecord<byte[], byte[]> record(K key, V value) {
    return new ProducerRecord<>(name, keys.serializer().serialize(name, key),
        values.serializer().serialize(name, value));
  }

  public K key(byte[] bytes) {
    return keys.deserializer().deserialize(name, bytes);
  }

  public V value(byte[] bytes) {
    return values.deserializer().deserialize(name, bytes);
  }
}
