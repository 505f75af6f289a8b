/**
 * The projector: the one writer of status columns. It consumes {@code status} and every
 * {@code agent.<id>.events} topic, applies each poll batch in one PostgreSQL transaction, appends
 * to the {@code events} table and sends {@code NOTIFY orca_events} for the SSE feed.
 */
package dev.orca.gateway.projection;
