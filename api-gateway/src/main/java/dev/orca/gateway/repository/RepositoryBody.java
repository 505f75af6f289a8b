package dev.orca.gateway.repository;

/**
 * The body of POST and PUT. {@code token}, {@code password} and {@code sshPrivateKey} all land in
 * the one encrypted secret; on PUT an absent field keeps the stored value and an empty secret
 * clears it.
 */
record RepositoryBody(String name, String url, String provider, String authMethod, String username, String token,
    String password, String sshPrivateKey, String syncType, Integer pollingInterval, String webhookSecret,
    GitHubActionsBody githubActions) {

  /** Whether and from where GitHub Actions may sync; on PUT an absent field keeps its value. */
  record GitHubActionsBody(Boolean enabled, String repository, java.util.List<String> allowedBranches,
      java.util.List<String> allowedWorkflows) {}

  /** The secret given in this body, or null when none of the secret fields is present. */
  String secret() {
    if (token != null) {
      return token;
    }
    if (password != null) {
      return password;
    }
    return sshPrivateKey;
  }

  @Override
  public String toString() {
    return "RepositoryBody[name=" + name + ", url=" + url + "]";
  }
}
