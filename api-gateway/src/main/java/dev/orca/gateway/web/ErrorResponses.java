package dev.orca.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every failure of a request, from a handler or a filter, into {@code {"error": "..."}}
 * with a fitting status. Only {@link ApiException} messages and framework input errors reach
 * the client; anything unexpected is logged (without the request body) and answered
 * {@code 500 internal error}.
 */
@Component
@Order(-2)
class ErrorResponses implements WebExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private final JsonMapper json;

  ErrorResponses(JsonMapper json) {
    this.json = json;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(failure);
    }
    ErrorAnswer answer = answer(failure);
    if (answer.status().is5xxServerError()) {
      LOG.error("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), failure);
    }
    response.setStatusCode(answer.status());
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    byte[] bytes = json.writeValueAsString(new ErrorBody(answer.message())).getBytes(StandardCharsets.UTF_8);
    DataBuffer buffer = response.bufferFactory().wrap(bytes);
    return response.writeWith(Mono.just(buffer));
  }

  static ErrorAnswer answer(Throwable failure) {
    if (failure instanceof ApiException api) {
      return new ErrorAnswer(api.status(), api.getMessage());
    }
    if (causedBy(failure, DataBufferLimitException.class)) {
      return new ErrorAnswer(HttpStatus.CONTENT_TOO_LARGE, "request body is larger than 1 MiB");
    }
    if (failure instanceof ServerWebInputException input) {
      return new ErrorAnswer(HttpStatus.BAD_REQUEST, input.getReason() == null ? "invalid request" : input.getReason());
    }
    if (failure instanceof ResponseStatusException status) {
      HttpStatusCode code = status.getStatusCode();
      String reason = code.value() == 404 ? "not found" : status.getReason();
      HttpStatus known = HttpStatus.resolve(code.value());
      String fallback = known == null ? "request failed" : known.getReasonPhrase().toLowerCase(Locale.ROOT);
      return new ErrorAnswer(code, reason == null ? fallback : reason);
    }
    if (failure instanceof DuplicateKeyException) {
      return new ErrorAnswer(HttpStatus.CONFLICT, "already exists");
    }
    return new ErrorAnswer(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  record ErrorAnswer(HttpStatusCode status, String message) {}
}
