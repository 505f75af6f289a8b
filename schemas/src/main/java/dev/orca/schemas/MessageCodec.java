package dev.orca.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Encodes Avro specific records in Avro's single-object encoding (marker {@code C3 01}, the
 * writer schema's CRC-64-AVRO fingerprint, then the binary body) and decodes any record whose
 * fingerprint is that of a current or released schema version of one of its classes. No schema
 * registry server is involved: released versions ship in this jar under {@code /schemas/history}.
 * One codec can hold several record types, which is how one topic carries several messages.
 */
public final class MessageCodec<T extends SpecificRecord> {

  static final byte MARKER_0 = (byte) 0xC3;
  static final byte MARKER_1 = (byte) 0x01;
  static final int HEADER_LENGTH = 10;

  private final Map<Long, Reader<? extends T>> readers = new HashMap<>();
  private final Map<Class<?>, Writer> writers = new HashMap<>();
  private final Set<Class<? extends T>> types;

  @SafeVarargs
  public MessageCodec(Class<? extends T>... types) {
    this.types = Set.of(types);
    for (Class<? extends T> type : types) {
      Schema current = SpecificData.get().getSchema(type);
      trustRecords(current, type.getClassLoader(), new java.util.HashSet<>());
      writers.put(type, new Writer(current, fingerprint(current)));
      register(type, current, current);
      for (Schema released : SchemaHistory.released(current.getFullName())) {
        register(type, released, current);
      }
    }
  }

  public Set<Class<? extends T>> types() {
    return types;
  }

  public byte[] encode(T record) {
    Writer writer = writers.get(record.getClass());
    if (writer == null) {
      throw new IllegalArgumentException(
          record.getClass().getSimpleName() + " is not one of " + names());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MARKER_0);
    out.write(MARKER_1);
    byte[] fp = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(writer.fingerprint).array();
    out.writeBytes(fp);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The class a message was written as, read from its fingerprint without decoding the body; empty
   * for bytes that are not one of this codec's messages.
   */
  public java.util.Optional<Class<? extends T>> typeOf(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
      return java.util.Optional.empty();
    }
    Reader<? extends T> reader = readers.get(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    return reader == null ? java.util.Optional.empty() : java.util.Optional.of(reader.type);
  }

  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
      throw new MessageFormatException("not an Avro single-object encoded message");
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Reader<? extends T> reader = readers.get(fingerprint);
    if (reader == null) {
      throw new MessageFormatException(
          "unknown schema fingerprint " + Long.toHexString(fingerprint) + " (expected one of " + names() + ")");
    }
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
    try {
      return reader.reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new MessageFormatException("cannot decode " + reader.type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  private <R extends T> void register(Class<R> type, Schema writer, Schema reader) {
    SpecificDatumReader<R> datumReader = new SpecificDatumReader<>(writer, reader, SpecificData.getForClass(type));
    readers.putIfAbsent(fingerprint(writer), new Reader<>(type, datumReader));
  }

  private List<String> names() {
    List<String> names = new ArrayList<>();
    types.forEach(t -> names.add(t.getSimpleName()));
    names.sort(String::compareTo);
    return names;
  }

  /** Trusts the generated class of every named type (records, enums) in a schema. */
  private static void trustRecords(Schema schema, ClassLoader loader, Set<String> seen) {
    switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> {
        if (seen.add(schema.getFullName())) {
          try {
            trust(Class.forName(SpecificData.getClassName(schema), false, loader));
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no generated class for " + schema.getFullName(), e);
          }
          if (schema.getType() == Schema.Type.RECORD) {
            schema.getFields().forEach(f -> trustRecords(f.schema(), loader, seen));
          }
        }
      }
      case UNION -> schema.getTypes().forEach(t -> trustRecords(t, loader, seen));
      case ARRAY -> trustRecords(schema.getElementType(), loader, seen);
      case MAP -> trustRecords(schema.getValueType(), loader, seen);
      default -> { }
    }
  }

  /** Avro refuses to instantiate classes it was not told to trust; trust exactly ours. */
  private static synchronized void trust(Class<?> type) {
    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    if (previous.isTrusted(type)) {
      return;
    }
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
        previous, ClassSecurityValidator.builder().add(type).build()));
  }

  private record Writer(Schema schema, long fingerprint, SpecificDatumWriter<SpecificRecord> writer) {
    Writer(Schema schema, long fingerprint) {
      this(schema, fingerprint, new SpecificDatumWriter<>(schema));
    }
  }

  private record Reader<R>(Class<R> type, SpecificDatumReader<R> reader) {}

  /** The released versions of each schema, as shipped under /schemas/history/<FullName>/v<N>.avsc. */
  static final class SchemaHistory {
    private SchemaHistory() {}

    static List<Schema> released(String fullName) {
      List<Schema> versions = new ArrayList<>();
      for (int v = 1; ; v++) {
        String path = "/schemas/history/" + fullName + "/v" + v + ".avsc";
        try (InputStream in = MessageCodec.class.getResourceAsStream(path)) {
          if (in == null) {
            return versions;
          }
          versions.add(parseReleased(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + path, e);
        }
      }
    }

    /**
     * Released files are self-contained (named types inlined), so each one parses on its own.
     */
    static Schema parseReleased(String json) {
      return new Schema.Parser().parse(json);
    }
  }
}
