package dev.orca.gateway.events;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The live changes of one entity, from the same feed as the SSE streams: for a request that
 * waits for something the projector writes (a removal) instead of reading the database again
 * and again.
 */
@Component
public class EntityChanges {

  private final EventFeed feed;

  EntityChanges(EventFeed feed) {
    this.feed = feed;
  }

  /**
   * One element per change of the entity published from the subscription on: true when it was
   * deleted. Subscribe before reading the state the change would alter, so none falls between.
   */
  public Flux<Boolean> of(String entity, String entityId) {
    return feed.live()
        .filter(row -> entity.equals(row.entity()) && entityId.equals(row.entityId()))
        .map(EventRow::deleted);
  }
}
