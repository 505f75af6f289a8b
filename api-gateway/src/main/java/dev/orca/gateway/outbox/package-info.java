/**
 * The config outbox: REST writes insert the entity's configuration snapshot into the
 * {@code outbox} table in the same transaction as the row change, and the relay publishes the
 * rows to the config topics in order, deleting them once Kafka acknowledged.
 */
package dev.orca.gateway.outbox;
