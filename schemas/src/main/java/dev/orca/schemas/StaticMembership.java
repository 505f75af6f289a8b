package dev.orca.schemas;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Static group membership for Orca's Kafka Streams applications. A restarted instance takes its
 * partitions back at once instead of waiting for the broker to expire its old member (the
 * session timeout, 45 s), and closing with leave-group removes it cleanly. The id is
 * {@code ORCA_INSTANCE_ID}, else the host name plus a digest of the state directory, which no
 * two live instances share (Kafka Streams locks it).
 */
public final class StaticMembership {

  private StaticMembership() {}

  public static String instanceId(Map<String, String> env, Path stateDir) {
    String configured = env.get("ORCA_INSTANCE_ID");
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    CRC32 crc = new CRC32();
    crc.update(stateDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
    return hostName() + "-" + HexFormat.of().toHexDigits((int) crc.getValue());
  }

  /** Sets the main consumer's group.instance.id; Kafka Streams suffixes it per stream thread. */
  public static void apply(Properties streamsProperties, String instanceId) {
    streamsProperties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "orca";
    }
  }
}
