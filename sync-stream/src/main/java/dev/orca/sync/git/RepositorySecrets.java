package dev.orca.sync.git;

import dev.orca.git.GitException;
import dev.orca.git.GitRemote;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;

/**
 * Turns config.repositories records into {@link GitRemote}s, decrypting their secret with the key
 * derived from {@code APP_SECRET} (the gateway's, so the same value must be given to both). Without
 * an APP_SECRET only repositories without a secret can be fetched. Error messages never carry a secret.
 */
public final class RepositorySecrets {

  private final SecretBox box;

  private RepositorySecrets(SecretBox box) {
    this.box = box;
  }

  /** Secrets opened with this APP_SECRET; null or blank means none is configured. */
  public static RepositorySecrets of(String appSecret) {
    return of(appSecret, null);
  }

  /** Opened with this APP_SECRET or, during a key rotation, the previous ones (ORCA_APP_SECRET_PREVIOUS). */
  public static RepositorySecrets of(String appSecret, String previousSecrets) {
    return appSecret == null || appSecret.isBlank()
        ? none() : new RepositorySecrets(new SecretBox(dev.orca.schemas.crypto.KeyRing.fromSecrets(appSecret,
            previousSecrets)));
  }

  /** No APP_SECRET: a repository with an encrypted secret cannot be fetched. */
  public static RepositorySecrets none() {
    return new RepositorySecrets(null);
  }

  public GitRemote remote(RepositoryConfig config) throws GitException {
    String encrypted = config.getEncryptedSecret();
    String secret = null;
    if (encrypted != null) {
      if (box == null) {
        throw new GitException("repository " + config.getId()
            + " has a secret but sync-stream has no APP_SECRET to decrypt it");
      }
      try {
        secret = box.decrypt(encrypted);
      } catch (SecretBox.DecryptionException e) {
        throw new GitException("the secret of repository " + config.getId()
            + " cannot be decrypted: " + e.getMessage());
      }
    }
    return new GitRemote(config.getId(), config.getUrl(), config.getAuthMethod(), config.getUsername(), secret);
  }
}
