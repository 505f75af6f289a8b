package dev.orca.schemas.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for values stored at rest: a random 96-bit nonce per value, stored as
 * base64("v1" nonce ciphertext+tag). Null stays null so optional columns need no special case.
 */
public final class SecretBox {

  private static final byte VERSION = 1;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;

  private final Keys keys;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(Keys keys) {
    this.keys = keys;
  }

  public String encrypt(String plaintext) {
    if (plaintext == null) {
      return null;
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(1 + NONCE_LENGTH + sealed.length);
      out.put(VERSION).put(nonce).put(sealed);
      return Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public String decrypt(String encoded) {
    if (encoded == null) {
      return null;
    }
    byte[] all;
    try {
      all = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new DecryptionException("stored value is not base64");
    }
    if (all.length < 1 + NONCE_LENGTH + TAG_BITS / 8 || all[0] != VERSION) {
      throw new DecryptionException("stored value has an unknown format");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(TAG_BITS, all, 1, NONCE_LENGTH));
      byte[] plain = cipher.doFinal(all, 1 + NONCE_LENGTH, all.length - 1 - NONCE_LENGTH);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new DecryptionException("stored value does not decrypt with this APP_SECRET");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** A value at rest could not be decrypted: wrong APP_SECRET or tampered data. */
  public static final class DecryptionException extends RuntimeException {
    DecryptionException(String message) {
      super(message);
    }
  }
}
