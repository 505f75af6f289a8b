package dev.orca.gateway.projection;

import dev.orca.gateway.eventlog.EntityChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entities one batch changed, each once, in the order of their last change; a deletion
 * replaces earlier changes of the same entity.
 */
final class ChangedEntities {

  private record Key(String entity, String entityId) {}

  private final Map<Key, Boolean> changes = new LinkedHashMap<>();

  void changed(String entity, String entityId) {
    put(entity, entityId, false);
  }

  void deleted(String entity, String entityId) {
    put(entity, entityId, true);
  }

  List<EntityChange> list() {
    List<EntityChange> list = new ArrayList<>(changes.size());
    changes.forEach((key, deleted) -> list.add(new EntityChange(key.entity(), key.entityId(), deleted)));
    return list;
  }

  private void put(String entity, String entityId, boolean deleted) {
    Key key = new Key(entity, entityId);
    changes.remove(key);
    changes.put(key, deleted);
  }
}
