package dev.orca.gateway.agent;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Read access to agents for other features (applications, SSE). */
@Component
public class AgentViews {

  private final AgentStore store;

  AgentViews(AgentStore store) {
    this.store = store;
  }

  /** The agent as GET returns it, or empty. */
  public Mono<AgentJson> find(String id) {
    return store.find(id);
  }

  /**
   * The key the agent opens its applications' environments with; empty when the agent does not
   * exist or was registered before agents had one. Joins the caller's transaction.
   */
  public Mono<byte[]> environmentKey(String id) {
    return store.environmentKey(id);
  }
}
