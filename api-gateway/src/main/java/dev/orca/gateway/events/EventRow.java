package dev.orca.gateway.events;

/**
 * One row of the {@code events} table: {@code seq} is the SSE id, {@code entity} the SSE event
 * name. A {@link #position} row is no change: it marks where a client's stream continues live.
 */
record EventRow(long seq, String entity, String entityId, boolean deleted) {

  /** The SSE event name of a position. */
  static final String STREAM = "stream";

  /** The SSE event name of a reset: what the client missed is gone from the log; it loads afresh. */
  static final String RESET = "reset";

  static EventRow position(long seq) {
    return new EventRow(seq, STREAM, null, false);
  }

  static EventRow reset(long seq) {
    return new EventRow(seq, RESET, null, false);
  }

  boolean isReset() {
    return RESET.equals(entity) && entityId == null;
  }

  boolean isPosition() {
    return STREAM.equals(entity) && entityId == null;
  }
}
