/**
 * {@code GET /api/v1/health} ({@link dev.orca.gateway.health.HealthChecks}): PostgreSQL, Kafka,
 * this gateway's projector and outbox relay, and the consumer groups the pipeline needs
 * (sync-stream, deploy-dispatcher), each checked within about two seconds.
 */
package dev.orca.gateway.health;
