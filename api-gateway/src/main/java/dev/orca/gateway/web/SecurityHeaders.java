package dev.orca.gateway.web;

import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Puts the browser security headers on every answer, API and dashboard alike. It runs first
 * and sets them before anything else can fail, so error answers (401 from the authentication
 * filter, 413, 404, ...) carry them too; answers Reactor Netty gives without Spring get them
 * from {@link NettyErrorBodies}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeaders implements WebFilter {

  static final Map<String, String> VALUES = Map.of(
      "Content-Security-Policy", ContentSecurityPolicy.DEFAULT,
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "same-origin",
      "X-Frame-Options", "DENY");

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    HttpHeaders headers = exchange.getResponse().getHeaders();
    VALUES.forEach(headers::set);
    return chain.filter(exchange);
  }
}
