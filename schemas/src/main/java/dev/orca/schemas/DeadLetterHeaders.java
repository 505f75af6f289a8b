package dev.orca.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a record on {@link Topics#deadLetters()}: which component gave up on it, the
 * topic, partition and offset it was read from (absent when it was not read from a topic), and
 * the failure's class and message. Every value is UTF-8 text, so any client can read them.
 */
public final class DeadLetterHeaders {

  public static final String COMPONENT = "orca.dead-letter.component";
  public static final String TOPIC = "orca.dead-letter.topic";
  public static final String PARTITION = "orca.dead-letter.partition";
  public static final String OFFSET = "orca.dead-letter.offset";
  public static final String EXCEPTION = "orca.dead-letter.exception";
  public static final String MESSAGE = "orca.dead-letter.message";

  private DeadLetterHeaders() {}

  /** Headers for a record of {@code topic} (null: not read from a topic) that failed with {@code error}. */
  public static Headers of(String component, String topic, int partition, long offset, Throwable error) {
    Headers headers = new RecordHeaders();
    add(headers, COMPONENT, component);
    if (topic != null) {
      add(headers, TOPIC, topic);
      add(headers, PARTITION, Integer.toString(partition));
      add(headers, OFFSET, Long.toString(offset));
    }
    add(headers, EXCEPTION, error.getClass().getName());
    add(headers, MESSAGE, String.valueOf(error.getMessage()));
    return headers;
  }

  /** A header's text, or null when absent. */
  public static String text(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void add(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
