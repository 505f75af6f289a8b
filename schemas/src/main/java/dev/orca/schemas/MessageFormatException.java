package dev.orca.schemas;

import org.apache.kafka.common.errors.SerializationException;

/** A record on a topic is not a message this build can read: a poison record. */
public final class MessageFormatException extends SerializationException {
  public MessageFormatException(String message) {
    super(message);
  }

  public MessageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
