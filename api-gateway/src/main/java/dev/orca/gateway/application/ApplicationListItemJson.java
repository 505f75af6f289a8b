package dev.orca.gateway.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An application as the list returns it: {@link ApplicationJson} without the compose files,
 * which only the single GET carries (they can be large, and a list has many).
 */
record ApplicationListItemJson(UUID id, String name, UUID repositoryId, String agentId, String branch, String path,
    String syncStatus, String healthStatus, String commit, String commitMessage, Instant lastSyncedAt,
    String lastSyncError, boolean selfHeal, Integer readinessTimeoutSeconds, List<String> allowedPolicyRules,
    boolean imagePolling, int imagePollIntervalSeconds, boolean removeSupersededImages, boolean autoRollback,
    boolean hasImageWebhookSecret,
    String imageWebhookUrl, ApplicationJson.Pin pinned, String latestCommit, Integer commitsBehind, Instant createdAt,
    Instant updatedAt) {

  static ApplicationListItemJson of(ApplicationJson application) {
    return new ApplicationListItemJson(application.id(), application.name(), application.repositoryId(),
        application.agentId(), application.branch(), application.path(), application.syncStatus(),
        application.healthStatus(), application.commit(), application.commitMessage(), application.lastSyncedAt(),
        application.lastSyncError(), application.selfHeal(), application.readinessTimeoutSeconds(),
        application.allowedPolicyRules(), application.imagePolling(), application.imagePollIntervalSeconds(),
        application.removeSupersededImages(), application.autoRollback(), application.hasImageWebhookSecret(),
        application.imageWebhookUrl(),
        application.pinned(), application.latestCommit(), application.commitsBehind(), application.createdAt(),
        application.updatedAt());
  }
}
