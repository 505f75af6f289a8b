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
  /** A rendering that takes longer is given up: the event is not sent rather than hold up those after it. */
  private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(10);

  /** The data of an event about an entity that no longer exists. */
  record Deleted(String id, boolean deleted) {}

  // A provider: the entities' views are built from stores that themselves follow the feed.
  private final ObjectProvider<EntityRenderer> entities;
  private final JsonMapper json;

  EventRenderer(ObjectProvider<EntityRenderer> entities, JsonMapper json) {
    this.entities = entities;
    this.json = json;
  }

  /**
   * The row with its data; the row as it was (no data, so it is not sent) when rendering failed or
   * took too long, which is logged once: the rendering is shared, never retried per stream.
   */
  Mono<EventRow> render(EventRow row) {
    if (row.data() != null || row.isPosition() || row.isReset()) {
      return Mono.just(row);
    }
    Mono<Object> current = row.deleted() ? Mono.empty() : entities.getObject().render(row.entity(), row.entityId());
    return current
        .timeout(TIMEOUT)
        .switchIfEmpty(Mono.fromSupplier(() -> new Deleted(row.entityId(), true)))
        .map(data -> row.withData(json.writeValueAsString(data)))
        .onErrorResume(e -> {
          log.warn("cannot render {} {} for event {}: {}", row.entity(), row.entityId(), row.seq(), e.toString());
          return Mono.just(row);
        });
  }
}
