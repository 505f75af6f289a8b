package dev.orca.gateway.web;

import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.util.MimeType;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The decoder of every JSON request body: Spring's Jackson decoder after a scan that refuses a
 * NUL character (U+0000) in any string value or field name, escaped or raw, with
 * {@link NulInTextException} (answered 400 by {@link ErrorResponses}). PostgreSQL cannot store
 * NUL in text, so without this a NUL travelled through a handler and failed as a 500.
 *
 * <p>This is the one place every {@code @RequestBody} passes through before its handler runs,
 * so it covers every route and field, present and future. A Jackson deserializer for strings
 * would miss field names, map keys and untyped values, and a web filter would have to buffer
 * and parse bodies no handler reads. The scan costs a second pass over at most 1 MiB. Known
 * limit: a streamed body (a {@code Flux} parameter) is decoded without the scan; the gateway has
 * none.
 */
final class NulRejectingJsonDecoder extends JacksonJsonDecoder {

  private final ObjectReader scanner;

  NulRejectingJsonDecoder(JsonMapper mapper) {
    super(mapper);
    // The scan lets raw control characters through so that a raw NUL is reported as the NUL it
    // is; the decode that follows still refuses any other raw control character as malformed.
    this.scanner = mapper.reader().with(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS);
  }

  @Override
  public Object decode(DataBuffer buffer, ResolvableType targetType, MimeType mimeType, Map<String, Object> hints) {
    try {
      rejectNul(buffer);
    } catch (NulInTextException e) {
      DataBufferUtils.release(buffer);
      throw e;
    }
    return super.decode(buffer, targetType, mimeType, hints);
  }

  private void rejectNul(DataBuffer buffer) {
    int start = buffer.readPosition();
    try (JsonParser parser = scanner.createParser(buffer.asInputStream())) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.PROPERTY_NAME && parser.currentName().indexOf('\0') >= 0) {
          throw new NulInTextException("field names must not contain the NUL character (\\u0000)");
        }
        if (token == JsonToken.VALUE_STRING && parser.getString().indexOf('\0') >= 0) {
          throw new NulInTextException(JsonFields.of(parser.streamReadContext())
              + " must not contain the NUL character (\\u0000)");
        }
      }
    } catch (JacksonException malformed) {
      // Left to the decode that follows, which reports it as the body's error.
    } finally {
      buffer.readPosition(start);
    }
  }

  /** A JSON body carried a NUL character; the message names where, never echoes the text. */
  static final class NulInTextException extends DecodingException {
    NulInTextException(String message) {
      super(message);
    }
  }
}
