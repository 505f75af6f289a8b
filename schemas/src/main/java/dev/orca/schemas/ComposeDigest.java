package dev.orca.schemas;

import dev.orca.schemas.avro.DeploySettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SortedMap;

/**
 * What change detection compares: the SHA-256 (hex) of the compose file alone when it references
 * no file, so applications sent before files travelled keep their digest and do not redeploy;
 * otherwise of the compose file's length and bytes, then of each file in path order its path's
 * length and UTF-8 bytes and its content's length and bytes. Every part is length-prefixed, so
 * no two different sets of files share an encoding, and a change to any file is a change.
 */
public final class ComposeDigest {

  private ComposeDigest() {}

  public static String of(byte[] compose, SortedMap<String, byte[]> files) {
    if (files.isEmpty()) {
      return sha256(compose);
    }
    MessageDigest digest = FilesDigest.sha256();
    FilesDigest.update(digest, compose);
    FilesDigest.update(digest, files);
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * As {@link #of(byte[], SortedMap)}, then, when the application has deploy settings other than
   * the defaults, of that digest and the settings' Avro encoding (length-prefixed): a change of its
   * environment, readiness timeout, policy exceptions or self-heal redeploys it, and applications
   * without settings keep their digest.
   */
  public static String of(byte[] compose, SortedMap<String, byte[]> files, DeploySettings settings) {
    String base = of(compose, files);
    if (settings == null || isDefault(settings)) {
      return base;
    }
    byte[] encoded;
    try {
      encoded = settings.toByteBuffer().array();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot encode deploy settings", e);
    }
    MessageDigest digest = FilesDigest.sha256();
    digest.update("orca-settings".getBytes(StandardCharsets.UTF_8));
    digest.update(base.getBytes(StandardCharsets.UTF_8));
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(encoded.length).array());
    digest.update(encoded);
    return HexFormat.of().formatHex(digest.digest());
  }

  private static boolean isDefault(DeploySettings settings) {
    return settings.getEnvironment() == null && settings.getReadinessTimeoutSeconds() == null
        && settings.getAllowedPolicyRules().isEmpty() && !settings.getSelfHeal()
        && settings.getImagePollIntervalSeconds() == null && !settings.getRemoveSupersededImages();
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(FilesDigest.sha256().digest(bytes));
  }
}
