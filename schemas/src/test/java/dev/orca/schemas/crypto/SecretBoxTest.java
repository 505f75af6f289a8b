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
  void shouldRefuseShortSecrets() {
    assertThatThrownBy(() -> Keys.fromSecret("short")).isInstanceOf(IllegalArgumentException.class);
  }
}
