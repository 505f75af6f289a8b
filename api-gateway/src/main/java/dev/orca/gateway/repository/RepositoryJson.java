package dev.orca.gateway.repository;

import java.time.Instant;
import java.util.UUID;

/**
 * A repository as GET returns it: never a secret, only whether one is set. {@code lastTrigger}
 * is what started its last sync; {@code lastSyncNote} what that sync was asked for but did not
 * do, and why (for example a webhook's commit older than what an application has).
 * {@code webhookUrl} is where its git server posts webhooks, on the public URL (null when none
 * is configured).
 */
public record RepositoryJson(UUID id, String name, String url, String provider, String authMethod, String username,
    String syncType, int pollingInterval, String syncStatus, Instant lastSyncedAt, String lastSyncError,
    String lastSyncNote, TriggerJson lastTrigger, boolean hasCredentials, boolean hasWebhookSecret,
    String webhookUrl, GitHubActionsJson githubActions, Instant createdAt, Instant updatedAt) {

  /**
   * What started a sync: {@code type} polling, manual, webhook, github_actions or
   * configuration; {@code actor} the poller, {@code webhook:<provider>}, or a user's id.
   */
  public record TriggerJson(String type, String actor, Instant at) {}

  /**
   * Whether a GitHub Actions workflow may sync this repository with its OIDC token: one running
   * in {@code repository} (owner/name), on one of {@code allowedBranches} and in one of
   * {@code allowedWorkflows} (file name or workflow name) when those are not empty.
   */
  public record GitHubActions(boolean enabled, String repository, java.util.List<String> allowedBranches,
      java.util.List<String> allowedWorkflows) {

    public static final GitHubActions DISABLED = new GitHubActions(false, null, java.util.List.of(),
        java.util.List.of());
  }

  /** {@link GitHubActions} as GET returns it, with the {@code audience} a workflow's token must name (the public URL). */
  public record GitHubActionsJson(boolean enabled, String repository, java.util.List<String> allowedBranches,
      java.util.List<String> allowedWorkflows, String audience) {}
}
