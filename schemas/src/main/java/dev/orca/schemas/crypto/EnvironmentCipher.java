package dev.orca.schemas.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An application's environment (the lines of its {@code .env}) sealed for one agent: AES-256-GCM
 * with the agent's 32-byte environment key, as a version byte 1, a 12-byte random nonce, then
 * ciphertext and tag, with the application id as associated data, so a sealed environment cannot
 * be replayed onto another application. The gateway seals, the agent opens; no other component
 * can read it (the format of {@code DeploySettings.environment}).
 */
public final class EnvironmentCipher {

  public static final int KEY_LENGTH = 32;
  private static final byte VERSION = 1;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private EnvironmentCipher() {}

  /** A fresh random environment key for an agent. */
  public static byte[] newKey() {
    byte[] key = new byte[KEY_LENGTH];
    RANDOM.nextBytes(key);
    return key;
  }

  /**
   * The key from its base64 form (as the agent's connection settings show it); the message of the
   * exception never repeats the value.
   */
  public static byte[] decodeKey(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an environment key must be base64");
    }
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("an environment key must be " + KEY_LENGTH + " bytes (got " + key.length + ")");
    }
    return key;
  }

  public static byte[] encrypt(byte[] key, String applicationId, String dotEnv) {
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, aesKey(key), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(applicationId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(dotEnv.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE_LENGTH + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** The {@code .env} text; throws {@link DecryptionException} for another key, application or altered bytes. */
  public static String decrypt(byte[] key, String applicationId, byte[] sealed) {
    if (sealed.length < 1 + NONCE_LENGTH + TAG_BITS / 8) {
      throw new DecryptionException("it is too short to be an encrypted environment");
    }
    if (sealed[0] != VERSION) {
      throw new DecryptionException("it has an unknown format version " + (sealed[0] & 0xff));
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, aesKey(key), new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_LENGTH));
      cipher.updateAAD(applicationId.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(sealed, 1 + NONCE_LENGTH, sealed.length - 1 - NONCE_LENGTH);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new DecryptionException(
          "it was not encrypted with this agent's environment key for this application, or it was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private static SecretKeySpec aesKey(byte[] key) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("an environment key must be " + KEY_LENGTH + " bytes");
    }
    return new SecretKeySpec(key, "AES");
  }

  /** A sealed environment that cannot be opened; the message says why, never what it holds. */
  public static final class DecryptionException extends RuntimeException {
    DecryptionException(String message) {
      super(message);
    }
  }
}
