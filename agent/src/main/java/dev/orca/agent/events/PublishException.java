package dev.orca.agent.events;

/** An event was not acknowledged by the broker; the command that produced it must be retried. */
public final class PublishException extends RuntimeException {
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
