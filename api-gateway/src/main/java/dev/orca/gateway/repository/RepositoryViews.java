package dev.orca.gateway.repository;

import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Read access to repositories for other features (applications, SSE, webhooks). */
@Component
public class RepositoryViews {

  private final RepositoryStore store;

  RepositoryViews(RepositoryStore store) {
    this.store = store;
  }

  /** What a webhook delivery is checked against; the secret still encrypted. */
  public record WebhookSettings(String provider, String syncType, String webhookSecretEncrypted) {}

  /** The repository's webhook settings, or empty when it does not exist. */
  public Mono<WebhookSettings> webhookSettings(UUID id) {
    return store.find(id).map(row -> new WebhookSettings(row.config().provider(), row.config().syncType(),
        row.config().webhookSecretEncrypted()));
  }

  /** A repository GitHub Actions may sync, and on what terms. */
  public record GitHubActionsTarget(UUID id, RepositoryJson.GitHubActions settings) {}

  /** The repositories that let runs of this GitHub repository (owner/name) sync them. */
  public reactor.core.publisher.Flux<GitHubActionsTarget> allowingGitHubActions(String githubRepository) {
    return store.allowingGitHubActions(githubRepository)
        .map(row -> new GitHubActionsTarget(row.id(), row.config().githubActions()));
  }

  /** The repository as GET returns it, or empty. */
  public Mono<RepositoryJson> find(UUID id) {
    return store.find(id).map(store::json);
  }
}
