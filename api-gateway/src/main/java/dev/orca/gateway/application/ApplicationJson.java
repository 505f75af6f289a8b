package dev.orca.gateway.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An application as GET returns it: name and compose files decrypted, statuses lowercase, and its
 * deploy settings ({@code readinessTimeoutSeconds} null: the deployment's deadline). The image
 * webhook secret is never returned, only whether one is set and, then, the address registries post
 * to on the public URL ({@code imageWebhookUrl}, null without a secret or a public URL).
 * {@code pinned} is set while a rollback holds the application at an earlier deployment; syncs
 * then record the branch's newest commit ({@code latestCommit}) and how many commits it is ahead
 * of the pinned one ({@code commitsBehind}, null when unknown) without deploying it.
 * {@code autoRollback}: a deployment that fails is followed by a rollback to the last one that
 * succeeded.
 */
public record ApplicationJson(UUID id, String name, UUID repositoryId, String agentId, String branch, String path,
    String syncStatus, String healthStatus, String commit, String commitMessage, Instant lastSyncedAt,
    String lastSyncError, String composeFile, String previousComposeFile, boolean selfHeal,
    Integer readinessTimeoutSeconds, List<String> allowedPolicyRules, boolean imagePolling,
    int imagePollIntervalSeconds, boolean removeSupersededImages, boolean autoRollback, boolean hasImageWebhookSecret,
    String imageWebhookUrl, Pin pinned, String latestCommit, String latestCommitMessage, Integer commitsBehind,
    Instant createdAt, Instant updatedAt) {

  /** The deployment a rollback pinned the application to, its commit, and when. */
  public record Pin(String deploymentId, String commit, Instant at) {}
}
