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
    return store.ids()
        // The grants first: making the topics reads them back, which the gateway may do only once granted.
        .concatMap(id -> credentials.grantComponents(id).then(topics.ensure(id)).then(store.republish(id)))
        .filter(Boolean::booleanValue)
        .count()
        .map(Long::intValue);
  }
}
