package dev.orca.schemas.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EnvironmentCipherTest {

  private static final String APP = "6f1c1c52-8d0a-4c55-9b0e-4a34e7f1a001";
  private static final String DOT_ENV = "DB_PASSWORD=s3cr3t\nGREETING=hello\n";

  @Test
  void shouldRoundTripWithTheFormatOfDeploySettings() {
    byte[] key = EnvironmentCipher.newKey();

    byte[] sealed = EnvironmentCipher.encrypt(key, APP, DOT_ENV);

    assertThat(sealed[0]).isEqualTo((byte) 1);
    assertThat(sealed).hasSize(1 + 12 + DOT_ENV.getBytes(StandardCharsets.UTF_8).length + 16);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    assertThat(EnvironmentCipher.decrypt(key, APP, sealed)).isEqualTo(DOT_ENV);
    assertThat(EnvironmentCipher.encrypt(key, APP, DOT_ENV)).as("a fresh nonce each time").isNotEqualTo(sealed);
  }

  @Test
  void shouldFailWithAnotherKey() {
    byte[] sealed = EnvironmentCipher.encrypt(EnvironmentCipher.newKey(), APP, DOT_ENV);

    assertThatThrownBy(() -> EnvironmentCipher.decrypt(EnvironmentCipher.newKey(), APP, sealed))
        .isInstanceOf(EnvironmentCipher.DecryptionException.class)
        .hasMessage("it was not encrypted with this agent's environment key for this application, or it was altered");
  }

  @Test
  void shouldFailForAnotherApplication() {
    byte[] key = EnvironmentCipher.newKey();
    byte[] sealed = EnvironmentCipher.encrypt(key, APP, DOT_ENV);

    assertThatThrownBy(() -> EnvironmentCipher.decrypt(key, "another-application", sealed))
        .isInstanceOf(EnvironmentCipher.DecryptionException.class);
  }

  @Test
  void shouldFailWhenAnyByteWasAltered() {
    byte[] key = EnvironmentCipher.newKey();
    byte[] sealed = EnvironmentCipher.encrypt(key, APP, DOT_ENV);
    for (int i = 1; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      assertThatThrownBy(() -> EnvironmentCipher.decrypt(key, APP, tampered)).as("byte " + i)
          .isInstanceOf(EnvironmentCipher.DecryptionException.class);
    }
  }

  @Test
  void shouldCheckTheVersionByteAndTheLength() {
    byte[] key = EnvironmentCipher.newKey();
    byte[] sealed = EnvironmentCipher.encrypt(key, APP, DOT_ENV);
    sealed[0] = 2;

    assertThatThrownBy(() -> EnvironmentCipher.decrypt(key, APP, sealed))
        .isInstanceOf(EnvironmentCipher.DecryptionException.class).hasMessage("it has an unknown format version 2");
    assertThatThrownBy(() -> EnvironmentCipher.decrypt(key, APP, new byte[] {1, 2, 3}))
        .isInstanceOf(EnvironmentCipher.DecryptionException.class).hasMessageContaining("too short");
  }

  @Test
  void shouldDecodeOnlyBase64KeysOf32BytesWithoutEchoingThem() {
    byte[] key = EnvironmentCipher.newKey();

    assertThat(EnvironmentCipher.decodeKey(Base64.getEncoder().encodeToString(key) + "\n")).isEqualTo(key);
    assertThatThrownBy(() -> EnvironmentCipher.decodeKey("not base64!"))
        .hasMessage("an environment key must be base64");
    assertThatThrownBy(() -> EnvironmentCipher.decodeKey(Base64.getEncoder().encodeToString(new byte[16])))
        .hasMessage("an environment key must be 32 bytes (got 16)");
  }
}
