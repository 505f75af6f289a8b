/**
 * Live events over SSE: one shared {@code LISTEN orca_events} connection per gateway feeds the
 * new rows of the {@code events} table to every client; {@code Last-Event-ID} replays what a
 * client missed. Also announces agents that stopped sending heartbeats.
 */
package dev.orca.gateway.events;
