package dev.orca.git;

/**
 * A git operation failed; the message is meant for users (it ends up in lastSyncError), so the
 * user-info of any URL in it is redacted.
 */
public final class GitException extends Exception {
  public GitException(String message) {
    super(UrlRedaction.redact(message));
  }

  public GitException(String message, Throwable cause) {
    super(UrlRedaction.redact(message), cause);
  }
}
