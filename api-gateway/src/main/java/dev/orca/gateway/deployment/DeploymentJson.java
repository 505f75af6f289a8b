package dev.orca.gateway.deployment;

import java.time.Instant;
import java.util.UUID;

/** One deployment attempt as the history returns it; reason and state are lowercase. */
public record DeploymentJson(String id, UUID applicationId, String agentId, long generation, String reason,
    String actor, String commit, String digest, String state, String error, Instant startedAt, Instant endedAt,
    Instant deadline, Instant updatedAt) {}
