package dev.orca.gateway.agent;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code /api/v1/agents}: register, list, rename and delete agents. */
@RestController
@RequestMapping("/api/v1/agents")
class AgentController {

  private final AgentStore store;
  private final AgentTopics agentTopics;
  private final Topics topics;
  private final OrcaProperties properties;

  AgentController(AgentStore store, AgentTopics agentTopics, Topics topics, OrcaProperties properties) {
    this.store = store;
    this.agentTopics = agentTopics;
    this.topics = topics;
    this.properties = properties;
  }

  record AgentBody(String name) {}

  /**
   * Everything an agent process needs to start; shown once, at creation. {@code environmentKey}
   * (base64, ORCA_AGENT_ENVIRONMENT_KEY) opens the environments sealed for this agent; the gateway
   * keeps it encrypted and never returns it again.
   */
  record Connection(String kafkaBootstrap, String topicPrefix, String agentId, String commandsTopic, String eventsTopic,
      String environmentKey) {}

  record CreatedAgentJson(String id, String name, String status, Connection connection) {}

  @GetMapping
  Mono<List<AgentJson>> list() {
    return store.all().collectList();
  }

  @GetMapping("/{id}")
  Mono<AgentJson> get(@PathVariable String id) {
    return store.find(id).switchIfEmpty(Mono.error(() -> notFound()));
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<CreatedAgentJson> create(@RequestBody AgentBody body) {
    String name = name(body);
    String id = UUID.randomUUID().toString();
    byte[] environmentKey = EnvironmentCipher.newKey();
    // Topics first: a registered agent always has somewhere to read commands from.
    return store.nameTaken(name, id)
        .flatMap(taken -> taken ? Mono.error(duplicate(name))
            : agentTopics.ensure(id).then(store.insert(id, name, environmentKey)))
        .flatMap(inserted -> inserted ? store.find(id) : Mono.error(duplicate(name)))
        .map(agent -> new CreatedAgentJson(agent.id(), agent.name(), agent.status(), new Connection(
            properties.kafkaBootstrap(), topics.prefix(), id, topics.agentCommands(id).name(),
            topics.agentEvents(id).name(), Base64.getEncoder().encodeToString(environmentKey))));
  }

  @PutMapping("/{id}")
  Mono<AgentJson> update(@PathVariable String id, @RequestBody AgentBody body) {
    String name = name(body);
    return store.nameTaken(name, id)
        .flatMap(taken -> taken ? Mono.error(duplicate(name)) : store.rename(id, name))
        .onErrorMap(DataIntegrityViolationException.class, e -> duplicate(name))
        .flatMap(found -> found ? store.find(id) : Mono.error(notFound()));
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> delete(@PathVariable String id) {
    return store.find(id)
        .switchIfEmpty(Mono.error(() -> notFound()))
        .flatMap(agent -> store.applicationCount(id).flatMap(count -> count > 0
            ? Mono.error(ApiException.conflict("agent " + agent.name() + " still runs " + count + " application(s)"))
            : store.delete(id)))
        .then();
  }

  private static String name(AgentBody body) {
    if (body == null || body.name() == null || body.name().isBlank()) {
      throw ApiException.badRequest("name is required");
    }
    String name = body.name().trim();
    if (name.length() > 100) {
      throw ApiException.badRequest("name is too long (at most 100 characters)");
    }
    return name;
  }

  private static ApiException duplicate(String name) {
    return ApiException.conflict("an agent named " + name + " already exists");
  }

  private static ApiException notFound() {
    return ApiException.notFound("agent not found");
  }
}
