/**
 * Publishing to Kafka: one shared idempotent producer, a publish that completes only once the
 * broker acknowledged, the admin client, and the shared topics created at start-up.
 */
package dev.orca.gateway.kafka;
