package dev.orca.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses a request whose path or query carries a NUL character with 400, before any handler
 * could pass it to PostgreSQL, which cannot store NUL in text. A NUL reaches the gateway only
 * percent-encoded ({@code %00}): the HTTP decoder refuses raw control characters in the request
 * line and in headers, and Spring decodes paths and query parameters exactly once. JSON bodies
 * are checked by {@link NulRejectingJsonDecoder}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class NulInUriFilter implements WebFilter {

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String query = request.getURI().getRawQuery();
    if (request.getPath().value().contains("%00") || query != null && query.contains("%00")) {
      return Mono.error(ApiException.badRequest("the request URI must not contain the NUL character (%00)"));
    }
    return chain.filter(exchange);
  }
}
