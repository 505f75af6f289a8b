package dev.orca.sync.files;

/** Why an application's files cannot be sent at a commit; the message is the application's sync error. */
public final class ApplicationFilesException extends Exception {

  ApplicationFilesException(String message) {
    super(message);
  }
}
