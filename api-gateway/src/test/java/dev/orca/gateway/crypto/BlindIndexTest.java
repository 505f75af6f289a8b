package dev.orca.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.crypto.Keys;
import org.junit.jupiter.api.Test;

class BlindIndexTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  @Test
  void shouldIndexNamesCaseAndSpaceInsensitivelyWithAKey() {
    BlindIndex index = new BlindIndex(Keys.fromSecret(SECRET));
    assertThat(index.of("  My App ")).isEqualTo(index.of("my app")).hasSize(64);
    assertThat(new BlindIndex(Keys.fromSecret(SECRET + "-other")).of("my app")).isNotEqualTo(index.of("my app"));
  }
}
