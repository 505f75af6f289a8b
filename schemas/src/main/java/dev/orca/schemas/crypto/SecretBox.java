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
 * base64(2, key id, nonce, ciphertext+tag). The key id says which APP_SECRET sealed it, so during
 * a key rotation values sealed by the current and by previous secrets are all read ({@link
 * KeyRing}); values of the first format, base64(1, nonce, ciphertext+tag), are read with whichever
 * key opens them. Null stays null so optional columns need no special case.
 */
public final class SecretBox {

  private static final byte VERSION_1 = 1;
  private static final byte VERSION = 2;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final int HEADER = 1 + Keys.KEY_ID_LENGTH;

  private final KeyRing ring;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(Keys keys) {
    this(KeyRing.of(keys));
  }

  public SecretBox(KeyRing ring) {
    this.ring = ring;
  }

  public KeyRing ring() {
    return ring;
  }

  /** Whether {@code encoded} (null counts) is sealed with the current key, in the current format. */
  public boolean isCurrent(String encoded) {
    if (encoded == null) {
      return true;
    }
    try {
      byte[] all = Base64.getDecoder().decode(encoded);
      return all.length > HEADER && all[0] == VERSION
          && java.util.Arrays.equals(java.util.Arrays.copyOfRange(all, 1, HEADER), ring.current().id());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Opened and sealed again with the current key; null stays null. */
  public String reseal(String encoded) {
    return encoded == null ? null : encrypt(decrypt(encoded));
  }

  public String encrypt(String plaintext) {
    if (plaintext == null) {
      return null;
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    try {
      Keys keys = ring.current();
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(TAG_BITS, nonce));
      // The header is authenticated too: a value cannot be moved under another key id.
      byte[] header = ByteBuffer.allocate(HEADER).put(VERSION).put(keys.id()).array();
      cipher.updateAAD(header);
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(HEADER + NONCE_LENGTH + sealed.length);
      out.put(header).put(nonce).put(sealed);
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
    if (all.length >= HEADER + NONCE_LENGTH + TAG_BITS / 8 && all[0] == VERSION) {
      Keys keys = ring.byId(java.util.Arrays.copyOfRange(all, 1, HEADER));
      if (keys == null) {
        throw new DecryptionException("stored value was sealed with a key neither APP_SECRET nor"
            + " ORCA_APP_SECRET_PREVIOUS holds");
      }
      try {
        return open(keys, all, HEADER, java.util.Arrays.copyOfRange(all, 0, HEADER));
      } catch (AEADBadTagException e) {
        throw new DecryptionException("stored value does not decrypt with this APP_SECRET");
      }
    }
    if (all.length < 1 + NONCE_LENGTH + TAG_BITS / 8 || all[0] != VERSION_1) {
      throw new DecryptionException("stored value has an unknown format");
    }
    for (Keys keys : ring.all()) {
      try {
        return open(keys, all, 1, null);
      } catch (AEADBadTagException e) {
        // another key of the ring may have sealed it
      }
    }
    throw new DecryptionException("stored value does not decrypt with this APP_SECRET");
  }

  private static String open(Keys keys, byte[] all, int nonceAt, byte[] header) throws AEADBadTagException {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(TAG_BITS, all, nonceAt, NONCE_LENGTH));
      if (header != null) {
        cipher.updateAAD(header);
      }
      byte[] plain = cipher.doFinal(all, nonceAt + NONCE_LENGTH, all.length - nonceAt - NONCE_LENGTH);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw e;
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
