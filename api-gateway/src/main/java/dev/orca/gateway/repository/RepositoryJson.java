package dev.orca.gateway.repository;

import java.time.Instant;
import java.util.UUID;

/**
 * A repository as GET returns it: never a secret, only whether one is set. {@code lastTrigger}
 * is what started its last sync; {@code lastSyncNote} what that sync was asked for but did not
 * do, and why (for example a webhook's commit older than what an application has).
 */
public record RepositoryJson(UUID id, String name, String url, String provider, String authMethod, String username,
    String syncType, int pollingInterval, String syncStatus, Instant lastSyncedAt, String lastSyncError,
    String lastSyncNote, TriggerJson lastTrigger, boolean hasCredentials, boolean hasWebhookSecret, Instant createdAt,
    Instant updatedAt) {

  /**
   * What started a sync: {@code type} polling, manual, webhook, github_actions or
   * configuration; {@code actor} the poller, {@code webhook:<provider>}, or a user's id.
   */
  public record TriggerJson(String type, String actor, Instant at) {}
}
