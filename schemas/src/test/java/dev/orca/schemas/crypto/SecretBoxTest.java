package dev.orca.schemas.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretBoxTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  @Test
  void shouldRoundTripAndNeverRepeatCiphertext() {
    SecretBox box = new SecretBox(Keys.fromSecret(SECRET));
    String a = box.encrypt("token-123");
    String b = box.encrypt("token-123");
    assertThat(a).isNotEqualTo(b).doesNotContain("token-123");
    assertThat(box.decrypt(a)).isEqualTo("token-123");
    assertThat(box.encrypt(null)).isNull();
  }

  @Test
  void shouldRefuseValuesEncryptedWithAnotherSecret() {
    String sealed = new SecretBox(Keys.fromSecret(SECRET)).encrypt("x");
    SecretBox other = new SecretBox(Keys.fromSecret(SECRET + "-other"));
    assertThatThrownBy(() -> other.decrypt(sealed)).isInstanceOf(SecretBox.DecryptionException.class);
  }

  @Test
  void shouldOpenWhatPreviousSecretsSealedWhileARotationReSealsIt() throws Exception {
    String oldSecret = SECRET + "-old";
    SecretBox old = new SecretBox(Keys.fromSecret(oldSecret));
    String sealedBefore = old.encrypt("ghp_rotate-me");
    String firstFormat = firstFormat(Keys.fromSecret(oldSecret), "from an earlier version");

    SecretBox rotating = new SecretBox(KeyRing.fromSecrets(SECRET, oldSecret + ", " + SECRET));
    assertThat(rotating.ring().previous()).hasSize(1);
    assertThat(rotating.decrypt(sealedBefore)).isEqualTo("ghp_rotate-me");
    assertThat(rotating.decrypt(firstFormat)).isEqualTo("from an earlier version");
    assertThat(rotating.isCurrent(sealedBefore)).isFalse();
    assertThat(rotating.isCurrent(firstFormat)).isFalse();
    String resealed = rotating.reseal(sealedBefore);
    assertThat(rotating.isCurrent(resealed)).isTrue();
    assertThat(rotating.isCurrent(null)).isTrue();

    // Once the old secret is dropped, only what was re-sealed opens.
    SecretBox after = new SecretBox(Keys.fromSecret(SECRET));
    assertThat(after.decrypt(resealed)).isEqualTo("ghp_rotate-me");
    assertThatThrownBy(() -> after.decrypt(sealedBefore)).isInstanceOf(SecretBox.DecryptionException.class)
        .hasMessage("stored value was sealed with a key neither APP_SECRET nor ORCA_APP_SECRET_PREVIOUS holds");
    assertThatThrownBy(() -> after.decrypt(firstFormat)).isInstanceOf(SecretBox.DecryptionException.class);
    assertThat(Keys.fromSecret(SECRET).idText()).hasSize(8).isNotEqualTo(Keys.fromSecret(oldSecret).idText());
  }

  @Test
  void shouldRefuseAValueMovedUnderAnotherKeyId() {
    String other = SECRET + "-other";
    SecretBox box = new SecretBox(KeyRing.fromSecrets(SECRET, other));
    byte[] sealed = java.util.Base64.getDecoder().decode(box.encrypt("x"));
    System.arraycopy(Keys.fromSecret(other).id(), 0, sealed, 1, Keys.KEY_ID_LENGTH);
    assertThatThrownBy(() -> box.decrypt(java.util.Base64.getEncoder().encodeToString(sealed)))
        .isInstanceOf(SecretBox.DecryptionException.class);
  }

  /** A value as versions before key ids sealed it: base64(1, nonce, ciphertext+tag). */
  private static String firstFormat(Keys keys, String plaintext) throws Exception {
    byte[] nonce = new byte[12];
    new java.security.SecureRandom().nextBytes(nonce);
    javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, keys.encryptionKey(), new javax.crypto.spec.GCMParameterSpec(128, nonce));
    byte[] sealed = cipher.doFinal(plaintext.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(1 + 12 + sealed.length).put((byte) 1).put(nonce).put(sealed);
    return java.util.Base64.getEncoder().encodeToString(out.array());
  }

  @Test
  void shouldRefuseShortSecrets() {
    assertThatThrownBy(() -> Keys.fromSecret("short")).isInstanceOf(IllegalArgumentException.class);
  }
}
