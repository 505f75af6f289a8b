package dev.orca.gateway.events;

/**
 * One row of the {@code events} table: {@code seq} is the SSE id, {@code entity} the SSE event
 * name. A {@link #position} row is no change: it marks where a client's stream continues live.
 */
record EventRow(long seq, String entity, String entityId, boolean deleted) {

  /** The SSE event name of a position. */
  static final String STREAM = "stream";

  static EventRow position(long seq) {
    return new EventRow(seq, STREAM, null, false);
  }

  boolean isPosition() {
    return STREAM.equals(entity) && entityId == null;
  }
}
