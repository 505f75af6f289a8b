package dev.orca.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Counts the webhooks the gateway answers ({@code orca_webhooks_total{kind, status}}): git pushes,
 * registries' image pushes and GitHub Actions runs, by the status they got (202 accepted, 204
 * ignored, 401 a bad signature, 429…).
 */
@Component
class WebhookMetrics implements WebFilter {

  private final MeterRegistry registry;

  WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = exchange.getRequest().getPath().pathWithinApplication().value();
    String kind = path.startsWith("/api/v1/webhooks/images/") ? "image"
        : path.startsWith("/api/v1/webhooks/") ? "git"
        : path.equals("/api/v1/github-actions") ? "github-actions" : null;
    if (kind == null) {
      return chain.filter(exchange);
    }
    // When the answer is committed: refusals written by the error handler count too.
    exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(() -> {
      HttpStatusCode status = exchange.getResponse().getStatusCode();
      Counter.builder("orca.webhooks").description("Webhooks answered, by kind and status")
          .tag("kind", kind).tag("status", status == null ? "200" : String.valueOf(status.value()))
          .register(registry).increment();
    }));
    return chain.filter(exchange);
  }
}
