package dev.orca.git;

/**
 * What a fetch needs to know of a repository: where it is and how to authenticate. The secret is
 * the decrypted token or password, so {@link #toString} leaves it out; build remotes from
 * config.repositories with {@link RepositorySecrets#remote}.
 */
public record GitRemote(String repositoryId, String url, String authMethod, String username, String secret) {

  /** A remote that needs no credentials. */
  public static GitRemote anonymous(String repositoryId, String url) {
    return new GitRemote(repositoryId, url, "none", null, null);
  }

  @Override
  public String toString() {
    return "GitRemote[repositoryId=" + repositoryId + ", url=" + UrlRedaction.redact(url) + ", authMethod="
        + authMethod + ", username=" + username + ", secret=" + (secret == null ? "none" : "***") + "]";
  }
}
