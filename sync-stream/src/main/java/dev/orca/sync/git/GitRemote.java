package dev.orca.sync.git;

import dev.orca.schemas.avro.RepositoryConfig;

/** What a fetch needs to know of a repository: where it is and how to authenticate. */
public record GitRemote(String repositoryId, String url, String authMethod, String username) {

  public static GitRemote of(RepositoryConfig config) {
    return new GitRemote(config.getId(), config.getUrl(), config.getAuthMethod(), config.getUsername());
  }
}
