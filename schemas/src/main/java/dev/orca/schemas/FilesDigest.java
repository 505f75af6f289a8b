package dev.orca.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.SortedMap;

/**
 * The one encoding of an application's files that is hashed, where sync-stream tells a changed
 * set of files (the deployment digest) and the agent tells which services' files changed: each
 * file in path order as its path's length and UTF-8 bytes, then its content's length and bytes.
 * Every part is length-prefixed, so two different sets of files never encode alike.
 */
public final class FilesDigest {

  private FilesDigest() {}

  /** A fresh SHA-256. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Feeds {@code bytes}, prefixed by their length, to the digest. */
  public static void update(MessageDigest digest, byte[] bytes) {
    digest.update(ByteBuffer.allocate(Long.BYTES).putLong(bytes.length).array());
    digest.update(bytes);
  }

  /** Feeds the files, in path order, to the digest. */
  public static void update(MessageDigest digest, SortedMap<String, byte[]> files) {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      byte[] path = file.getKey().getBytes(StandardCharsets.UTF_8);
      digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(path.length).array());
      digest.update(path);
      update(digest, file.getValue());
    }
  }
}
