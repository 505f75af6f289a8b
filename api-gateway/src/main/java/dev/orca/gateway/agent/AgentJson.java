package dev.orca.gateway.agent;

import java.time.Instant;

/** An agent as {@code GET /agents/{id}} returns it; status is {@code online} or {@code offline}. */
public record AgentJson(String id, String name, String status, Instant lastSeen, Boolean dockerAvailable,
    String dockerVersion, String composeCommand, String composeVersion, String statusMessage, Instant createdAt) {

  public boolean online() {
    return AgentStatus.ONLINE.equals(status);
  }
}
