package dev.orca.gateway.agent;

import dev.orca.gateway.web.ApiException;
import java.util.List;
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
