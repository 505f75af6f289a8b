package dev.orca.sync.git;

/** A git operation failed; the message is meant for users (it ends up in lastSyncError). */
public final class GitException extends Exception {
  public GitException(String message) {
    super(message);
  }

  public GitException(String message, Throwable cause) {
    super(message, cause);
  }
}
