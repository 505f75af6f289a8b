package dev.orca.gateway.events;

import dev.orca.gateway.system.EntityRenderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * An events row's SSE data as JSON text: the entity as its GET returns it, or {@code {id,
 * deleted: true}} when it is gone. Rendered to text once, the same bytes go to every stream.
 */
final class EventRenderer {

  private static final Logger log = LoggerFactory.getLogger(EventRenderer.class);

  /** The data of an event about an entity that no longer exists. */
  record Deleted(String id, boolean deleted) {}

  // A provider: the entities' views are built from stores that themselves follow the feed.
  private final ObjectProvider<EntityRenderer> entities;
  private final JsonMapper json;

  EventRenderer(ObjectProvider<EntityRenderer> entities, JsonMapper json) {
    this.entities = entities;
    this.json = json;
  }

  /** The row with its data; the row as it was (no data) when rendering failed, which is logged. */
  Mono<EventRow> render(EventRow row) {
    if (row.data() != null || row.isPosition() || row.isReset()) {
      return Mono.just(row);
    }
    Mono<Object> current = row.deleted() ? Mono.empty() : entities.getObject().render(row.entity(), row.entityId());
    return current
        .switchIfEmpty(Mono.fromSupplier(() -> new Deleted(row.entityId(), true)))
        .map(data -> row.withData(json.writeValueAsString(data)))
        .onErrorResume(e -> {
          log.warn("cannot render {} {} for event {}: {}", row.entity(), row.entityId(), row.seq(), e.toString());
          return Mono.just(row);
        });
  }
}
