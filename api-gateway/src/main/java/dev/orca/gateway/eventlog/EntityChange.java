package dev.orca.gateway.eventlog;

/** One future {@code events} row: an entity that changed, or was deleted. */
public record EntityChange(String entity, String entityId, boolean deleted) {

  public static EntityChange changed(String entity, String entityId) {
    return new EntityChange(entity, entityId, false);
  }

  public static EntityChange deleted(String entity, String entityId) {
    return new EntityChange(entity, entityId, true);
  }
}
