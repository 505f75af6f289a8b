package dev.orca.gateway.events;

/**
 * One row of the {@code events} table: {@code seq} is the SSE id, {@code entity} the SSE event
 * name. A {@link #position} row is no change: it marks where a client's stream continues live.
 * {@code data} is the event's JSON once rendered (null until then): the feed renders a live row
 * once for every stream that follows it.
 */
record EventRow(long seq, String entity, String entityId, boolean deleted, String data) {

  /** The SSE event name of a position. */
  static final String STREAM = "stream";

  /** The SSE event name of a reset: what the client missed is gone from the log; it loads afresh. */
  static final String RESET = "reset";

  EventRow(long seq, String entity, String entityId, boolean deleted) {
    this(seq, entity, entityId, deleted, null);
  }

  static EventRow position(long seq) {
    return new EventRow(seq, STREAM, null, false);
  }

  static EventRow reset(long seq) {
    return new EventRow(seq, RESET, null, false);
  }

  EventRow withData(String json) {
    return new EventRow(seq, entity, entityId, deleted, json);
  }

  boolean isReset() {
    return RESET.equals(entity) && entityId == null;
  }

  boolean isPosition() {
    return STREAM.equals(entity) && entityId == null;
  }

  /** Never the data: it is the entity, large for an application with its compose file. */
  @Override
  public String toString() {
    return "EventRow[seq=" + seq + ", entity=" + entity + ", entityId=" + entityId + ", deleted=" + deleted
        + ", rendered=" + (data != null) + "]";
  }
}
