package dev.orca.gateway.events;

/** One row of the {@code events} table: {@code seq} is the SSE id, {@code entity} the SSE event name. */
record EventRow(long seq, String entity, String entityId, boolean deleted) {}
