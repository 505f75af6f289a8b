package dev.orca.gateway.repository;

import java.time.Instant;
import java.util.UUID;

/** A repository as GET returns it: never a secret, only whether one is set. */
public record RepositoryJson(UUID id, String name, String url, String provider, String authMethod, String username,
    String syncType, int pollingInterval, String syncStatus, Instant lastSyncedAt, String lastSyncError,
    boolean hasCredentials, boolean hasWebhookSecret, Instant createdAt, Instant updatedAt) {}
