package dev.orca.gateway.agent;

import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Registering, rotating and removing agents, in the order that keeps the broker and the table
 * consistent: a credential and its ACLs before the topics (so a pattern subscription never meets
 * an agent topic it may see but not read), the topics before the row (a registered agent always
 * has somewhere to read commands from); at removal every credential generation before the row
 * (a broker that is away leaves the agent in place, to be deleted again; its topics stay, see
 * {@link AgentCredentials#removeAll}). A broker that does
 * not answer is a 503: nothing the client sent was wrong.
 */
@Component
class AgentRegistry {

  private static final Logger log = LoggerFactory.getLogger(AgentRegistry.class);

  /** An agent with the connection settings it was just given (shown once). */
  record CreatedAgentJson(String id, String name, String status, AgentConnection connection) {}

  private final AgentStore store;
  private final AgentTopics agentTopics;
  private final AgentCredentials credentials;
  private final Topics topics;

  AgentRegistry(AgentStore store, AgentTopics agentTopics, AgentCredentials credentials, Topics topics) {
    this.store = store;
    this.agentTopics = agentTopics;
    this.credentials = credentials;
    this.topics = topics;
  }

  Mono<CreatedAgentJson> register(String name) {
    String id = UUID.randomUUID().toString();
    byte[] environmentKey = EnvironmentCipher.newKey();
    return store.nameTaken(name, id)
        .flatMap(taken -> taken ? Mono.error(AgentController.duplicate(name)) : broker(credentials.issue(id, 1)))
        .flatMap(issued -> broker(agentTopics.ensure(id))
            .then(store.insert(id, name, environmentKey, issued.principal(), issued.generation()))
            .flatMap(inserted -> inserted ? store.find(id) : Mono.error(AgentController.duplicate(name)))
            // A registration that does not finish takes back the credential it issued (best effort).
            .onErrorResume(e -> credentials.removeAll(id, issued.generation()).onErrorResume(cleanup -> Mono.empty())
                .then(Mono.error(e)))
            .map(agent -> created(agent, issued, environmentKey)));
  }

  /**
   * A new credential (a new principal) for the agent; every older one's ACLs and password go
   * at once, so their open sessions are refused from their next request. The environment key stays.
   */
  Mono<CreatedAgentJson> rotate(String id) {
    return store.find(id).switchIfEmpty(Mono.error(AgentController::notFound))
        .flatMap(agent -> renew(id).flatMap(issued -> store.environmentKey(id).map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .map(key -> created(agent, issued, key.orElse(null)))));
  }

  /**
   * The agent's next credential: its generation taken first (so two rotations never share one),
   * then its principal and grants, then it becomes the current one, then every older generation
   * is retired; a rotation that lost to a later one retires what it made and answers 409.
   */
  Mono<AgentCredentials.Issued> renew(String id) {
    return store.nextGeneration(id).switchIfEmpty(Mono.error(AgentController::notFound))
        .flatMap(generation -> broker(credentials.issue(id, generation))
            .flatMap(issued -> store.setCurrentCredential(id, issued.principal(), generation)
                .flatMap(current -> current
                    ? broker(credentials.retireBelow(id, generation)).thenReturn(issued)
                    : credentials.retire(id, generation, generation + 1).then(Mono.<AgentCredentials.Issued>error(
                        ApiException.conflict("the agent's token was rotated at the same time; rotate again"))))));
  }

  /** 409 while the agent still runs applications; its topics go once the dispatcher sends it nothing more ({@link AgentRetirements}). */
  Mono<Void> remove(String id) {
    return store.find(id)
        .switchIfEmpty(Mono.error(AgentController::notFound))
        .flatMap(agent -> store.applicationCount(id).flatMap(count -> count > 0
            ? Mono.error(ApiException.conflict("agent " + agent.name() + " still runs " + count + " application(s)"))
            : store.credential(id)
                .flatMap(credential -> broker(credentials.removeAll(id, credential.generation())))
                .then(store.delete(id))))
        .then();
  }

  private CreatedAgentJson created(AgentJson agent, AgentCredentials.Issued issued, byte[] environmentKey) {
    return new CreatedAgentJson(agent.id(), agent.name(), agent.status(), AgentConnection.of(
        credentials.agentBootstrap(), credentials.security(issued), topics, agent.id(),
        environmentKey == null ? null : Base64.getEncoder().encodeToString(environmentKey)));
  }

  /** A broker call whose failure is the broker's, not the client's. */
  private static <T> Mono<T> broker(Mono<T> call) {
    return call.onErrorMap(IllegalStateException.class, e -> {
      log.warn("agent credentials: {}", e.getMessage());
      return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the Kafka broker is not available to manage agent"
          + " credentials; try again");
    });
  }
}
