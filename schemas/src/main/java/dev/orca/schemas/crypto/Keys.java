package dev.orca.schemas.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys Orca derives from {@code APP_SECRET} (HKDF-SHA256, RFC 5869), one per purpose, so a
 * leak of one derived key says nothing about the others or the secret. Shared by every component
 * that reads values the gateway encrypted (the at-rest format is part of the contract).
 */
public final class Keys {

  private static final int MIN_SECRET_LENGTH = 32;
  private static final byte[] SALT = "orca-cd/v1".getBytes(StandardCharsets.UTF_8);

  private final byte[] encryption;
  private final byte[] blindIndex;
  private final byte[] id;

  private Keys(byte[] encryption, byte[] blindIndex, byte[] id) {
    this.encryption = encryption;
    this.blindIndex = blindIndex;
    this.id = id;
  }

  public static Keys fromSecret(String appSecret) {
    if (appSecret == null || appSecret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("APP_SECRET must be at least " + MIN_SECRET_LENGTH + " characters");
    }
    byte[] ikm = appSecret.getBytes(StandardCharsets.UTF_8);
    byte[] prk = hmac(SALT, ikm);
    return new Keys(expand(prk, "encryption"), expand(prk, "blind-index"),
        java.util.Arrays.copyOf(expand(prk, "key-id"), KEY_ID_LENGTH));
  }

  /** Bytes of the key id written into each sealed value (derived, so it tells nothing of the key). */
  static final int KEY_ID_LENGTH = 4;

  /** The id of these keys: which APP_SECRET sealed a value, so several can be read during a rotation. */
  public byte[] id() {
    return id.clone();
  }

  /** The key id as text (8 hex digits), for logs and the system page. */
  public String idText() {
    return java.util.HexFormat.of().formatHex(id);
  }

  SecretKeySpec encryptionKey() {
    return new SecretKeySpec(encryption, "AES");
  }

  /** HMAC-SHA256 of data under the blind-index key; the key itself never leaves this class. */
  public byte[] blindIndexHmac(byte[] data) {
    return hmac(blindIndex, data);
  }

  /** HKDF-Expand for one 32-byte block: T(1) = HMAC(PRK, info || 0x01). */
  private static byte[] expand(byte[] prk, String info) {
    byte[] infoBytes = info.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[infoBytes.length + 1];
    System.arraycopy(infoBytes, 0, input, 0, infoBytes.length);
    input[infoBytes.length] = 1;
    return hmac(prk, input);
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
