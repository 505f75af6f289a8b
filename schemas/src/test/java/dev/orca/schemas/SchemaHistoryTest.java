package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Every released version of every message stays readable: the current schema must be able to
 * read data written with each version under src/main/resources/schemas/history, and a message
 * written with an old version decodes through the codec. Run with -Dorca.releaseSchemas=true to
 * add the current schemas as new released versions where they changed.
 */
class SchemaHistoryTest {

  private static final Path HISTORY = Path.of("src/main/resources/schemas/history");

  @Test
  void shouldHaveReleasedEveryCurrentSchema() throws IOException {
    boolean release = Boolean.getBoolean("orca.releaseSchemas");
    List<String> unreleased = new ArrayList<>();
    for (Class<? extends SpecificRecord> type : Messages.ALL) {
      Schema current = SpecificData.get().getSchema(type);
      List<Schema> released = MessageCodec.SchemaHistory.released(current.getFullName());
      boolean known = released.stream()
          .anyMatch(s -> MessageCodec.fingerprint(s) == MessageCodec.fingerprint(current));
      if (!known && release) {
        Path dir = HISTORY.resolve(current.getFullName());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("v" + (released.size() + 1) + ".avsc"), current.toString(true) + "\n");
      } else if (!known) {
        unreleased.add(current.getFullName());
      }
    }
    assertThat(unreleased)
        .as("changed schemas must be released: mvn -pl schemas test -Dorca.releaseSchemas=true")
        .isEmpty();
  }

  @Test
  void shouldReadEveryReleasedVersionWithTheCurrentSchema() {
    for (Class<? extends SpecificRecord> type : Messages.ALL) {
      Schema current = SpecificData.get().getSchema(type);
      for (Schema old : MessageCodec.SchemaHistory.released(current.getFullName())) {
        SchemaCompatibility.SchemaPairCompatibility result =
            SchemaCompatibility.checkReaderWriterCompatibility(current, old);
        assertThat(result.getType())
            .as("%s cannot read a released version: %s", current.getFullName(), result.getDescription())
            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      }
    }
  }

  @Test
  void shouldDecodeMessagesWrittenWithEveryReleasedVersion() throws IOException {
    Random random = new Random(42);
    for (Class<? extends SpecificRecord> type : Messages.ALL) {
      MessageCodec<SpecificRecord> codec = new MessageCodec<>(type);
      Schema current = SpecificData.get().getSchema(type);
      List<Schema> versions = MessageCodec.SchemaHistory.released(current.getFullName());
      assertThat(versions).as("released versions of %s", current.getFullName()).isNotEmpty();
      for (Schema old : versions) {
        Object datum = randomDatum(old, random);
        byte[] bytes = singleObject(old, datum);
        SpecificRecord decoded = codec.decode(bytes);
        assertThat(decoded).isInstanceOf(type);
        for (Schema.Field field : old.getFields()) {
          if (current.getField(field.name()) != null && field.schema().getType() == Schema.Type.STRING) {
            assertThat(decoded.get(current.getField(field.name()).pos()))
                .isEqualTo(((GenericData.Record) datum).get(field.name()).toString());
          }
        }
      }
    }
  }

  @Test
  void shouldRefuseMessagesOfUnknownSchemasWithAClearError() {
    MessageCodec<SpecificRecord> codec = new MessageCodec<>(Messages.ALL.get(0));
    byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(garbage))
        .isInstanceOf(MessageFormatException.class)
        .hasMessageContaining("single-object");
    byte[] unknown = new byte[] {(byte) 0xC3, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(unknown))
        .isInstanceOf(MessageFormatException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  private static byte[] singleObject(Schema schema, Object datum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(MessageCodec.fingerprint(schema)).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<>(schema).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static Object randomDatum(Schema schema, Random random) {
    switch (schema.getType()) {
      case RECORD:
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
          record.put(f.name(), randomDatum(f.schema(), random));
        }
        return record;
      case ENUM:
        List<String> symbols = schema.getEnumSymbols();
        return new GenericData.EnumSymbol(schema, symbols.get(random.nextInt(symbols.size())));
      case UNION:
        List<Schema> branches = schema.getTypes();
        return randomDatum(branches.get(random.nextInt(branches.size())), random);
      case ARRAY:
        List<Object> items = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          items.add(randomDatum(schema.getElementType(), random));
        }
        return new GenericData.Array<>(schema, items);
      case MAP:
        Map<String, Object> map = new HashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          map.put("k" + i, randomDatum(schema.getValueType(), random));
        }
        return map;
      case STRING:
        return "s" + random.nextInt(1000);
      case LONG:
        return Math.abs(random.nextLong() % 4_000_000_000_000L);
      case INT:
        return random.nextInt(1000);
      case BOOLEAN:
        return random.nextBoolean();
      case BYTES:
        byte[] bytes = new byte[random.nextInt(8)];
        random.nextBytes(bytes);
        return java.nio.ByteBuffer.wrap(bytes);
      case NULL:
        return null;
      default:
        throw new IllegalArgumentException("no generator for " + schema.getType());
    }
  }
}
