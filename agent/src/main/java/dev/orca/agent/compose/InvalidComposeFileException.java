package dev.orca.agent.compose;

/** The compose file cannot be applied as written; the message says why, for people. */
public final class InvalidComposeFileException extends RuntimeException {
  public InvalidComposeFileException(String message) {
    super(message);
  }

  public InvalidComposeFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
