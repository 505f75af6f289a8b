package dev.orca.sync.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class LastSentTest {

  private final Serde<LastSent> serde = LastSent.serde();

  @Test
  void shouldKeepAgentAndPathAcrossTheStore() {
    LastSent sent = new LastSent("abc123", "d1g3st", "agent-1", "deploy/compose file.yaml");

    byte[] bytes = serde.serializer().serialize("t", sent);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(sent);
  }

  @Test
  void shouldReadAnEntryWrittenBeforeAgentAndPathWereKept() {
    byte[] old = "abc123 d1g3st".getBytes(StandardCharsets.UTF_8);

    assertThat(serde.deserializer().deserialize("t", old)).isEqualTo(new LastSent("abc123", "d1g3st", null, null));
  }
}
