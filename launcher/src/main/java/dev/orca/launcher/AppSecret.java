package dev.orca.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The gateway's {@code APP_SECRET} in local mode: generated once (48 random bytes, base64) into
 * {@code <data dir>/app-secret}, readable by the owner only, and reused afterwards so sessions and
 * encrypted credentials stay valid across restarts.
 */
final class AppSecret {

  static final String FILE_NAME = "app-secret";
  private static final int BYTES = 48;

  private AppSecret() {}

  /** {@code explicit} if given, else the stored secret, else a new one that is stored first. */
  static String resolve(Path dataDir, String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (secret.isEmpty()) {
        throw new IllegalStateException(file + " is empty; delete it to generate a new secret (existing sessions and stored credentials become unreadable)");
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  static final String PREVIOUS_FILE_NAME = "app-secret.previous";

  /** The previous secrets a key rotation still reads, comma-separated, or null when none is kept. */
  static String previous(Path dataDir) {
    Path file = dataDir.resolve(PREVIOUS_FILE_NAME);
    try {
      if (!Files.exists(file)) {
        return null;
      }
      String joined = String.join(",", Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
          .map(String::trim).filter(line -> !line.isEmpty()).toList());
      return joined.isEmpty() ? null : joined;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * {@code ./orca key rotate}: a new secret in {@code app-secret}, the old one kept in
   * {@code app-secret.previous} (both owner-only), so the next start reads what the old one sealed
   * and re-seals it under the new one in the background. Returns the new secret's file.
   */
  static Path rotate(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no " + FILE_NAME + " in " + dataDir + ": ./orca up has not run with this"
          + " ORCA_DATA_DIR, or APP_SECRET is set in the environment (rotate it there: the new one in APP_SECRET,"
          + " the old one in ORCA_APP_SECRET_PREVIOUS)");
    }
    try {
      String old = Files.readString(file, StandardCharsets.US_ASCII).trim();
      Path previous = dataDir.resolve(PREVIOUS_FILE_NAME);
      if (!Files.exists(previous)) {
        createOwnerOnly(previous);
      }
      Files.writeString(previous, old + "\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
      Path fresh = dataDir.resolve(FILE_NAME + ".new");
      Files.deleteIfExists(fresh);
      create(fresh);
      Files.move(fresh, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rotate " + file + ": " + e.getMessage(), e);
    }
  }

  private static void createOwnerOnly(Path file) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] ownerOnly = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    Files.createDirectories(file.getParent());
    Files.createFile(file, ownerOnly);
  }

  private static void create(Path file) throws IOException {
    byte[] random = new byte[BYTES];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getEncoder().encodeToString(random);
    Files.createDirectories(file.getParent());
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] ownerOnly = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try {
      // Created with its final mode, so the secret is never readable by others, not even briefly.
      Files.createFile(file, ownerOnly);
    } catch (FileAlreadyExistsException raced) {
      return;
    }
    Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
