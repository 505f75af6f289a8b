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
