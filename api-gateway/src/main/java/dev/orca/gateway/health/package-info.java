/**
 * {@code GET /api/v1/health}: PostgreSQL, Kafka and the consumer groups the pipeline needs
 * (sync-stream, deploy-dispatcher), each checked within about two seconds.
 */
package dev.orca.gateway.health;
