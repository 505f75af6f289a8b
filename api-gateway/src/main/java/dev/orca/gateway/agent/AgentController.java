package dev.orca.gateway.agent;

import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ListQuery;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code /api/v1/agents}: register, list, rename, rotate the credential of and delete agents;
 * what registering, rotating and deleting do on the broker is {@link AgentRegistry}'s.
 */
@RestController
@RequestMapping("/api/v1/agents")
class AgentController {

  private final AgentStore store;
  private final AgentRegistry registry;

  AgentController(AgentStore store, AgentRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  record AgentBody(String name) {}

  private static final List<String> STATUSES = List.of(AgentStatus.ONLINE, AgentStatus.OFFLINE);

  /**
   * The agents by name. Filter: {@code status} (online, offline); {@code q} searches the name, id
   * and Docker and compose versions; {@code limit} with {@code offset} or {@code after} pages it
   * (see {@link ListQuery}).
   */
  @GetMapping
  Mono<ResponseEntity<List<AgentJson>>> list(@RequestParam(required = false) String q,
      @RequestParam(required = false) String status, @RequestParam(required = false) String limit,
      @RequestParam(required = false) String offset, @RequestParam(required = false) String after,
      ServerHttpRequest request) {
    ListQuery query = ListQuery.of(q, limit, offset, after);
    Set<String> statuses = ListQuery.oneOf("status", status, STATUSES);
    return store.all()
        .filter(agent -> statuses.isEmpty() || statuses.contains(agent.status()))
        .filter(agent -> query.matches(agent.name(), agent.id(), agent.dockerVersion(), agent.composeVersion()))
        .collectList()
        .map(agents -> query.answer(agents, AgentJson::id, request));
  }

  @GetMapping("/{id}")
  Mono<AgentJson> get(@PathVariable String id) {
    return store.find(id).switchIfEmpty(Mono.error(() -> notFound()));
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<AgentRegistry.CreatedAgentJson> create(@RequestBody AgentBody body) {
    return registry.register(name(body));
  }

  @PostMapping("/{id}/rotate-token")
  Mono<AgentRegistry.CreatedAgentJson> rotate(@PathVariable String id) {
    return registry.rotate(id);
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
    return registry.remove(id);
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

  static ApiException duplicate(String name) {
    return ApiException.conflict("an agent named " + name + " already exists");
  }

  static ApiException notFound() {
    return ApiException.notFound("agent not found");
  }
}
