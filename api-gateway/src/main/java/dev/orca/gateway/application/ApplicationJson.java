package dev.orca.gateway.application;

import java.time.Instant;
import java.util.UUID;

/** An application as GET returns it: name and compose files decrypted, statuses lowercase. */
public record ApplicationJson(UUID id, String name, UUID repositoryId, String agentId, String branch, String path,
    String syncStatus, String healthStatus, String commit, String commitMessage, Instant lastSyncedAt,
    String lastSyncError, String composeFile, String previousComposeFile, Instant createdAt, Instant updatedAt) {}
