package dev.orca.gateway.audit;

import dev.orca.gateway.auth.CurrentUser;
import dev.orca.gateway.web.RequestPaths;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes an {@link AuditLog} entry for every change that succeeded through {@code /api/v1}: each
 * POST, PUT, PATCH and DELETE answered 2xx, whoever made it (a user by session or API token, a
 * webhook, a GitHub Actions run). The entry names the actor, an action read from the route
 * ({@code repository.update}, {@code application.deploy}, {@code user.login}), the entity and
 * its id (from the path, or from the answer for a create), the request's fields with every secret
 * value replaced by {@code "***"}, the status and the client's address. Webhook payloads are not
 * kept: the provider's body is not a change made here.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class AuditFilter implements WebFilter {

  private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);
  private static final String API = "/api/v1/";
  private static final Set<HttpMethod> CHANGES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE);
  private static final int MAX_CAPTURE = 64 * 1024;
  private static final int MAX_CHANGES = 16 * 1024;
  /** Field names whose values are never written: passwords, tokens, keys, secrets. */
  private static final Pattern SECRET_FIELD = Pattern.compile("(?i).*(password|secret|token|key|credential).*");
  private static final Map<String, String> SINGULAR = Map.of("repositories", "repository", "applications",
      "application", "agents", "agent", "notifications", "notification", "users", "user", "oidc-providers",
      "oidc-provider", "tokens", "token");

  private final AuditLog audit;
  private final JsonMapper json;
  private final dev.orca.gateway.web.ClientAddress clientAddress;

  AuditFilter(AuditLog audit, JsonMapper json, dev.orca.gateway.web.ClientAddress clientAddress) {
    this.audit = audit;
    this.clientAddress = clientAddress;
    this.json = json;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String path = RequestPaths.canonical(request.getPath().pathWithinApplication());
    if (!path.startsWith(API) || !CHANGES.contains(request.getMethod())) {
      return chain.filter(exchange);
    }
    String route = path.substring(API.length() - 1);
    Capture requestBody = new Capture();
    Capture responseBody = new Capture();
    ServerHttpRequest teeRequest = new ServerHttpRequestDecorator(request) {
      @Override
      public Flux<DataBuffer> getBody() {
        return super.getBody().doOnNext(requestBody::add);
      }
    };
    java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> entry = () -> {
      HttpStatusCode status = exchange.getResponse().getStatusCode();
      if (status == null || !status.is2xxSuccessful() || !started.compareAndSet(false, true)) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
      return write(exchange, request.getMethod(), route, requestBody.text(), responseBody.text(), status.value())
          .onErrorResume(e -> {
            log.error("cannot write the audit log entry for {} {}: {}", request.getMethod(), route, e.toString());
            return Mono.empty();
          })
          .toFuture();
    };
    // Written once the change answered 2xx, before the answer leaves: a client that reads the
    // audit log right after its change finds it there. It runs as a subscription of its own, which
    // the request's cancellation does not stop (a client hanging up just then), and is written once.
    ServerHttpResponseDecorator teeResponse = new ServerHttpResponseDecorator(exchange.getResponse()) {
      @Override
      public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return DataBufferUtils.join(body).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
            .flatMap(joined -> {
              joined.ifPresent(responseBody::add);
              return Mono.fromFuture(entry.get(), true)
                  .then(super.writeWith(joined.<Publisher<DataBuffer>>map(Mono::just).orElseGet(Flux::empty)));
            });
      }

      @Override
      public Mono<Void> setComplete() {
        return Mono.fromFuture(entry.get(), true).then(super.setComplete());
      }
    };
    ServerWebExchange teed = exchange.mutate().request(teeRequest).response(teeResponse).build();
    return chain.filter(teed)
        .then(Mono.defer(() -> Mono.fromFuture(entry.get(), true)))
        .doOnCancel(entry::get);
  }

  private Mono<Void> write(ServerWebExchange exchange, HttpMethod method, String route, String requestBody,
      String responseBody, int status) {
    List<String> segments = List.of(route.substring(1).split("/"));
    Target target = target(method, segments);
    CurrentUser user = CurrentUser.of(exchange);
    AuditLog.Actor actor;
    String changes = null;
    boolean webhook = segments.get(0).equals("webhooks") || segments.get(0).equals("github-actions");
    if (user != null) {
      actor = new AuditLog.Actor("user", user.userId().toString(), user.email());
    } else if (webhook) {
      actor = new AuditLog.Actor(segments.get(0).equals("webhooks") ? "webhook" : "github-actions", target.id(),
          exchange.getAttribute(AuditLog.ACTOR_NAME));
    } else {
      actor = new AuditLog.Actor("anonymous", null, null);
    }
    JsonNode answer = parse(responseBody);
    String entityId = target.id();
    if (entityId == null && answer != null && answer.isObject() && answer.path("id").isValueNode()) {
      entityId = answer.path("id").asString();
    }
    if (actor.type().equals("anonymous") && answer != null && answer.path("email").isString()) {
      // a sign-in or registration: the user it signed in
      actor = new AuditLog.Actor("user", entityId, answer.path("email").asString());
    }
    if (!webhook) {
      JsonNode body = parse(requestBody);
      if (body != null) {
        changes = json.writeValueAsString(redact(body, false));
        if (changes.length() > MAX_CHANGES) {
          changes = json.writeValueAsString(Map.of("truncated", true));
        }
      }
    } else if (answer != null && answer.isObject()) {
      // what a webhook started: its sync ids, no payload
      ObjectNode started = json.createObjectNode();
      answer.properties().forEach(field -> {
        if (field.getKey().startsWith("sync")) {
          started.set(field.getKey(), field.getValue());
        }
      });
      changes = started.isEmpty() ? null : json.writeValueAsString(started);
    }
    String address = clientAddress.of(exchange.getRequest());
    return audit.record(actor, target.action(), target.type(), entityId, changes, status, address);
  }

  record Target(String type, String id, String action) {}

  /**
   * The entity and action a route changes: {@code POST /repositories} is repository.create,
   * {@code PUT /applications/{id}/environment} application.environment.update, {@code POST
   * /agents/{id}/rotate-token} agent.rotate-token, {@code POST /auth/login} user.login.
   */
  static Target target(HttpMethod method, List<String> segments) {
    String verb = method.equals(HttpMethod.POST) ? "create" : method.equals(HttpMethod.DELETE) ? "delete" : "update";
    String first = segments.get(0);
    switch (first) {
      case "auth" -> {
        String what = segments.size() > 1 ? segments.get(1) : "";
        return switch (what) {
          case "tokens" -> new Target("token", segments.size() > 2 ? segments.get(2) : null, "token." + verb);
          case "profile" -> new Target("user", null, "user.profile.update");
          default -> new Target("user", null, "user." + what);
        };
      }
      case "admin" -> {
        List<String> rest = segments.subList(1, segments.size());
        return rest.isEmpty() ? new Target("admin", null, "admin." + verb) : resource(verb, rest);
      }
      case "webhooks" -> {
        String kind = segments.size() > 1 ? segments.get(1) : "";
        String id = segments.size() > 2 ? segments.get(2) : null;
        return kind.equals("images") ? new Target("application", id, "application.image-webhook")
            : new Target("repository", id, "repository.webhook");
      }
      case "github-actions" -> {
        return new Target("repository", null, "repository.github-actions");
      }
      default -> {
        return resource(verb, segments);
      }
    }
  }

  private static Target resource(String verb, List<String> segments) {
    String type = SINGULAR.getOrDefault(segments.get(0), segments.get(0));
    if (segments.size() == 1) {
      return new Target(type, null, type + "." + verb);
    }
    if (segments.size() == 2) {
      String second = segments.get(1);
      // POST /repositories/test-connection: an action on the collection, no id
      if (verb.equals("create")) {
        return isId(second) ? new Target(type, second, type + "." + verb) : new Target(type, null, type + "." + second);
      }
      return new Target(type, second, type + "." + verb);
    }
    String rest = String.join(".", segments.subList(2, segments.size()));
    String action = verb.equals("create") ? rest : rest + "." + verb;
    return new Target(type, segments.get(1), type + "." + action);
  }

  private static boolean isId(String segment) {
    return segment.matches("[0-9a-fA-F-]{8,}|[0-9]+");
  }

  private JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  /** A copy with every value under a secret-looking name, and every environment value, replaced by "***". */
  private JsonNode redact(JsonNode node, boolean allValues) {
    if (node.isObject()) {
      ObjectNode copy = json.createObjectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String name = field.getKey();
        JsonNode value = field.getValue();
        if (allValues || SECRET_FIELD.matcher(name).matches() && !value.isNull() && !value.isBoolean()) {
          copy.set(name, value.isContainer() ? redact(value, true) : tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("***"));
        } else {
          copy.set(name, redact(value, name.toLowerCase(Locale.ROOT).equals("variables")));
        }
      }
      return copy;
    }
    if (node.isArray()) {
      var copy = json.createArrayNode();
      node.forEach(item -> copy.add(redact(item, allValues)));
      return copy;
    }
    return allValues && !node.isNull() ? tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("***") : node;
  }

  /** The first {@value #MAX_CAPTURE} bytes of a body, copied as it passes. */
  private static final class Capture {
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private boolean full;

    synchronized void add(DataBuffer buffer) {
      int room = MAX_CAPTURE - bytes.size();
      int n = Math.min(room, buffer.readableByteCount());
      if (n < buffer.readableByteCount()) {
        full = true;
      }
      if (n > 0) {
        byte[] copy = new byte[n];
        int position = buffer.readPosition();
        buffer.read(copy);
        buffer.readPosition(position);
        bytes.write(copy, 0, n);
      }
    }

    synchronized String text() {
      return full ? null : bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
