package dev.orca.gateway.crypto;

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
  void shouldIndexNamesCaseAndSpaceInsensitivelyWithAKey() {
    BlindIndex index = new BlindIndex(Keys.fromSecret(SECRET));
    assertThat(index.of("  My App ")).isEqualTo(index.of("my app")).hasSize(64);
    assertThat(new BlindIndex(Keys.fromSecret(SECRET + "-other")).of("my app")).isNotEqualTo(index.of("my app"));
  }

  @Test
  void shouldRefuseShortSecrets() {
    assertThatThrownBy(() -> Keys.fromSecret("short")).isInstanceOf(IllegalArgumentException.class);
  }
}
