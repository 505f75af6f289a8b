/**
 * Applications (one compose file of a repository branch on one agent): configuration with
 * encrypted names unique per agent by blind index, environment variables kept only sealed for the
 * application's agent ({@link dev.orca.gateway.application.EnvironmentRules},
 * {@link dev.orca.gateway.application.EnvironmentSealer}), {@code ApplicationConfig} snapshots and
 * first syncs through the outbox, manual deploys and removals published to Kafka, and the
 * rendering of entities for SSE; deployment rows are {@link dev.orca.gateway.deployment}'s.
 */
package dev.orca.gateway.application;
