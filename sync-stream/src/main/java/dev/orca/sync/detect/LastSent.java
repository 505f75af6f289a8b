package dev.orca.sync.detect;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The commit and compose digest last sent for one application. */
public record LastSent(String commit, String digest) {

  /** Stored as {@code <commit> <digest>}: both are hex, so a space cannot occur in either. */
  public static Serde<LastSent> serde() {
    Serializer<LastSent> serializer = (topic, value) ->
        value == null ? null : (value.commit() + " " + value.digest()).getBytes(StandardCharsets.UTF_8);
    Deserializer<LastSent> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      int space = text.indexOf(' ');
      return new LastSent(text.substring(0, space), text.substring(space + 1));
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
