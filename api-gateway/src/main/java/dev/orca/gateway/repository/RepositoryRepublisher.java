package dev.orca.gateway.repository;

import dev.orca.gateway.backup.Republisher;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** After an import: every repository's configuration published again, so sync-stream knows it. */
@Component
@Order(2)
class RepositoryRepublisher implements Republisher {

  private final RepositoryStore store;

  RepositoryRepublisher(RepositoryStore store) {
    this.store = store;
  }

  @Override
  public String what() {
    return "repositories";
  }

  @Override
  public Mono<Integer> republishAll() {
    return store.all().concatMap(row -> store.republish(row.id())).count().map(Long::intValue);
  }
}
