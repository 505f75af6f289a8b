package dev.orca.gateway.repository;

import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Read access to repositories for other features (applications, SSE). */
@Component
public class RepositoryViews {

  private final RepositoryStore store;

  RepositoryViews(RepositoryStore store) {
    this.store = store;
  }

  /** The repository as GET returns it, or empty. */
  public Mono<RepositoryJson> find(UUID id) {
    return store.find(id).map(RepositoryStore.Row::json);
  }
}
