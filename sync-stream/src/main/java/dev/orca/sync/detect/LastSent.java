package dev.orca.sync.detect;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The commit, compose digest, agent and compose path last sent for one application. Entries
 * written before agent and path were kept have them null, which counts as changed.
 */
public record LastSent(String commit, String digest, String agentId, String path) {

  private static final char SEPARATOR = '\0';

  /**
   * Stored as {@code <commit> <digest>\0<agentId>\0<path>}: commit and digest are hex, and a NUL
   * occurs neither in an id nor in a git path. The older {@code <commit> <digest>} form still reads.
   */
  public static Serde<LastSent> serde() {
    Serializer<LastSent> serializer = (topic, value) -> value == null ? null
        : (value.commit() + " " + value.digest() + SEPARATOR + nullToEmpty(value.agentId()) + SEPARATOR
            + nullToEmpty(value.path())).getBytes(StandardCharsets.UTF_8);
    Deserializer<LastSent> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      String[] parts = new String(bytes, StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), 3);
      int space = parts[0].indexOf(' ');
      String commit = parts[0].substring(0, space);
      String digest = parts[0].substring(space + 1);
      return parts.length == 3
          ? new LastSent(commit, digest, parts[1], parts[2])
          : new LastSent(commit, digest, null, null);
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
