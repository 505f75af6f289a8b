package dev.orca.sync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.git.GitException;
import dev.orca.git.GitRemote;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RepositorySecretsTest {

  private static final String APP_SECRET = "repository-secrets-test-secret-0123456789";

  @Test
  void shouldDecryptTheSecretTheGatewayEncrypted() throws GitException {
    String encrypted = new SecretBox(Keys.fromSecret(APP_SECRET)).encrypt("hunter2-password");

    GitRemote remote = RepositorySecrets.of(APP_SECRET).remote(config("basic", "deployer", encrypted));

    assertThat(remote).isEqualTo(new GitRemote("repo-1", "https://git.example/repo-1.git", "basic", "deployer",
        "hunter2-password"));
  }

  @Test
  void shouldNeedNoAppSecretForRepositoriesWithoutASecret() throws GitException {
    assertThat(RepositorySecrets.of(" ").remote(config("none", null, null)))
        .isEqualTo(GitRemote.anonymous("repo-1", "https://git.example/repo-1.git"));
  }

  @Test
  void shouldFailClearlyWhenNoAppSecretIsConfigured() {
    String encrypted = new SecretBox(Keys.fromSecret(APP_SECRET)).encrypt("hunter2-password");

    assertThatThrownBy(() -> RepositorySecrets.of(null).remote(config("token", null, encrypted)))
        .isInstanceOf(GitException.class)
        .hasMessage("repository repo-1 has a secret but sync-stream has no APP_SECRET to decrypt it");
  }

  @Test
  void shouldFailClearlyWhenTheSecretDoesNotDecrypt() {
    assertThatThrownBy(() -> RepositorySecrets.of(APP_SECRET).remote(config("token", null, "bm90LWEtc2VjcmV0")))
        .isInstanceOf(GitException.class)
        .hasMessage("the secret of repository repo-1 cannot be decrypted: stored value has an unknown format");
  }

  @Test
  void shouldRefuseAnAppSecretTooShortToDeriveKeysFrom() {
    assertThatThrownBy(() -> RepositorySecrets.of("short")).isInstanceOf(IllegalArgumentException.class);
  }

  private static RepositoryConfig config(String authMethod, String username, String encryptedSecret) {
    return RepositoryConfig.newBuilder().setId("repo-1").setRevision(1).setUrl("https://git.example/repo-1.git")
        .setProvider("generic").setAuthMethod(authMethod).setUsername(username).setEncryptedSecret(encryptedSecret)
        .setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(Instant.EPOCH).build();
  }
}
