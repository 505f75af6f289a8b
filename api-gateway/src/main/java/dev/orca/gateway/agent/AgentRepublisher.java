package dev.orca.gateway.agent;

import dev.orca.gateway.backup.Republisher;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** After an import: each agent's topics, the components' grants on them, and its configuration, published again. */
@Component
@Order(1)
class AgentRepublisher implements Republisher {

  private final AgentStore store;
  private final AgentTopics topics;
  private final AgentCredentials credentials;

  AgentRepublisher(AgentStore store, AgentTopics topics, AgentCredentials credentials) {
    this.store = store;
    this.topics = topics;
    this.credentials = credentials;
  }

  @Override
  public String what() {
    return "agents";
  }

  @Override
  public Mono<Integer> republishAll() {
    java.util.List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    return store.ids()
        // The grants first: making the topics reads them back, which the gateway may do only once granted.
        .concatMap(id -> credentials.grantComponents(id).then(topics.ensure(id)).then(store.republish(id))
            // One agent the broker refuses does not hold back the others; the pass is tried again.
            .onErrorResume(e -> {
              failed.add(id + " (" + e.getMessage() + ")");
              return Mono.just(false);
            }))
        .filter(Boolean::booleanValue)
        .count()
        .flatMap(count -> failed.isEmpty() ? Mono.just(count.intValue())
            : Mono.error(new IllegalStateException("cannot set up the topics of agent(s) " + String.join(", ", failed))));
  }
}
