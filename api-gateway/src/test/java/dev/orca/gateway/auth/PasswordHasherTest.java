package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1);

  @Test
  void shouldStoreArgon2idInPhcFormatWithParametersAndSalt() {
    String hash = hasher.hash("Correct-Horse-42");

    assertThat(hash).matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
  }

  @Test
  void shouldVerifyTheRightPasswordOnly() {
    String hash = hasher.hash("Correct-Horse-42");

    assertThat(hasher.verify("Correct-Horse-42", hash)).isTrue();
    assertThat(hasher.verify("Correct-Horse-43", hash)).isFalse();
    assertThat(hasher.verify("", hash)).isFalse();
  }

  @Test
  void shouldSaltEveryHashDifferently() {
    assertThat(hasher.hash("Correct-Horse-42")).isNotEqualTo(hasher.hash("Correct-Horse-42"));
  }

  @Test
  void shouldVerifyWithTheParametersStoredInTheHashNotTheCurrentOnes() {
    String old = new PasswordHasher(2048, 2, 2).hash("Correct-Horse-42");

    assertThat(PasswordHasher.recommended().verify("Correct-Horse-42", old)).isTrue();
  }

  @Test
  void shouldRefuseMalformedOrForeignHashes() {
    assertThat(hasher.verify("x", "$2a$10$abcdefghijklmnopqrstuv")).isFalse();
    assertThat(hasher.verify("x", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA")).isFalse();
    assertThat(hasher.verify("x", null)).isFalse();
  }
}
