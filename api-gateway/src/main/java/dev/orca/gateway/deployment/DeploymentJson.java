package dev.orca.gateway.deployment;

import java.time.Instant;
import java.util.UUID;

/**
 * One deployment attempt as the history returns it; reason and state are lowercase.
 * {@code outcome} is how it ended (succeeded, failed, timed_out, superseded; SPEC.md's name),
 * null while it runs; {@code state} says the same and {@code in_progress} meanwhile.
 */
public record DeploymentJson(String id, UUID applicationId, String agentId, long generation, String reason,
    String actor, String commit, String digest, String state, String outcome, String error, Instant startedAt,
    Instant endedAt, Instant deadline, Instant updatedAt) {}
