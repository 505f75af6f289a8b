package dev.orca.gateway.notification;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A notification channel as the API returns it. Its secrets never: {@code url} shows only the
 * scheme and host (a Slack, Discord or Teams URL is itself a credential), {@code hasSecret} and
 * {@code email.hasPassword} say whether one is set. {@code lastDelivery} is the newest delivery's
 * outcome ({@code sent}, {@code retrying} or {@code failed}), null before the first.
 */
public record NotificationJson(UUID id, String name, String type, String url, boolean hasSecret, EmailJson email,
    List<String> events, List<UUID> applicationIds, List<UUID> repositoryIds, boolean enabled,
    LastDelivery lastDelivery, Instant createdAt, Instant updatedAt) {

  /** SMTP settings of an email channel; the password is write-only. */
  public record EmailJson(String host, int port, String security, String username, boolean hasPassword, String from,
      List<String> to) {}

  public record LastDelivery(Instant at, String state, String error) {}

  /** One queued message as the channel's delivery log shows it. */
  public record DeliveryJson(long id, String event, String eventId, String state, int attempts, String lastError,
      UUID applicationId, UUID repositoryId, String agentId, String deploymentId, Instant occurredAt,
      Instant nextAttemptAt, Instant sentAt) {}
}
