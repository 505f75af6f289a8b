package dev.orca.gateway.application;

import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Read access to applications for other features (SSE). */
@Component
public class ApplicationViews {

  private final ApplicationStore store;

  ApplicationViews(ApplicationStore store) {
    this.store = store;
  }

  /** The application as GET returns it, or empty. */
  public Mono<ApplicationJson> find(UUID id) {
    return store.find(id).map(ApplicationStore.Row::json);
  }
}
