package dev.orca.gateway.application;

import dev.orca.gateway.backup.Republisher;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * After an import: every application's configuration published again, each with a sync, so it is
 * deployed where its agent runs (to the commit its branch names now).
 */
@Component
@Order(3)
class ApplicationRepublisher implements Republisher {

  static final String ACTOR = "orca import";

  private final ApplicationStore store;

  ApplicationRepublisher(ApplicationStore store) {
    this.store = store;
  }

  @Override
  public String what() {
    return "applications";
  }

  @Override
  public Mono<Integer> republishAll() {
    return store.ids().concatMap(id -> store.republish(id, ACTOR)).filter(Boolean::booleanValue).count()
        .map(Long::intValue);
  }
}
