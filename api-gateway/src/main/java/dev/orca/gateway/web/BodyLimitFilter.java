package dev.orca.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses a request whose declared body exceeds 1 MiB with 413 before anything reads it;
 * chunked bodies are capped by {@code spring.http.codecs.max-in-memory-size}, which fails the
 * same way.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class BodyLimitFilter implements WebFilter {

  static final long MAX_BODY_BYTES = 1024 * 1024;

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (exchange.getRequest().getHeaders().getContentLength() > MAX_BODY_BYTES) {
      return Mono.error(new ApiException(HttpStatus.CONTENT_TOO_LARGE, "request body is larger than 1 MiB"));
    }
    return chain.filter(exchange);
  }
}
