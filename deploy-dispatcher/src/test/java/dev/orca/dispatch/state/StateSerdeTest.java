package dev.orca.dispatch.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.schemas.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class StateSerdeTest {

  private final StateSerde serde = new StateSerde();

  @Test
  void shouldReadStatesWrittenBeforeRemovalMarkersAndHandovers() throws IOException {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/schemas/history/dev.orca.dispatch.avro.ApplicationState/v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v1);
    old.put("applicationId", "app-1");
    old.put("agentId", "agent-a");
    old.put("generation", 3L);
    old.put("history", List.of());

    ApplicationState state = serde.deserializer().deserialize("store", encode(v1, old));

    assertThat(state.getApplicationId()).isEqualTo("app-1");
    assertThat(state.getGeneration()).isEqualTo(3);
    assertThat(state.getRemovedAt()).isNull();
    assertThat(state.getHandoverRemovals()).isEmpty();
  }

  @Test
  void shouldHaveReleasedTheCurrentStateSchema() throws IOException {
    // A state store holds what every earlier version wrote: each version that ever shipped must be
    // released, or its states become unreadable after an upgrade. Release the current one as the
    // next vN.avsc whenever it changes.
    Schema latest = null;
    for (int v = 1; ; v++) {
      try (InputStream in = getClass().getResourceAsStream(
          "/schemas/history/dev.orca.dispatch.avro.ApplicationState/v" + v + ".avsc")) {
        if (in == null) {
          break;
        }
        latest = new Schema.Parser().parse(in);
      }
    }
    assertThat(latest).isNotNull();
    assertThat(MessageCodec.fingerprint(latest)).isEqualTo(MessageCodec.fingerprint(ApplicationState.getClassSchema()));
  }

  @Test
  void shouldRoundTripARemovedMarker() {
    ApplicationState state = Deployments.newState("app-1", "agent-a");
    RemovedMarker.mark(state, Instant.parse("2026-03-01T10:00:00Z"));

    byte[] bytes = serde.serializer().serialize("store", state);

    assertThat(serde.deserializer().deserialize("store", bytes)).isEqualTo(state);
  }

  private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(MessageCodec.fingerprint(schema)).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
