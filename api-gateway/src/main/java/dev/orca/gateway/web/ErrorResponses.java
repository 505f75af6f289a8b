package dev.orca.gateway.web;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every failure of a request, from a handler or a filter, into {@code {"error": "..."}}
 * with a fitting status. Only {@link ApiException} messages and messages written here reach the
 * client: a body that cannot be read names the JSON field at fault, never a Java type, and a
 * framework reason that names a Java class is replaced by the status's phrase. Anything
 * unexpected is logged (without the request body) and answered {@code 500 internal error}.
 * Answers Reactor Netty gives before Spring sees the request get their body from
 * {@link NettyErrorBodies}.
 */
@Component
@Order(-2)
class ErrorResponses implements WebExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  /** A qualified Java name ({@code java.lang.String}, {@code dev.orca...Body$Inner}) or "class". */
  private static final Pattern JAVA_NAME =
      Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*\\.[A-Z][\\w$]*|\\bclass\\b");

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
    if (failure instanceof ApiException api && api.retryAfterSeconds() > 0) {
      response.getHeaders().set(org.springframework.http.HttpHeaders.RETRY_AFTER, String.valueOf(api.retryAfterSeconds()));
    }
    if (failure instanceof ResponseStatusException status) {
      // Allow for a 405, Accept-Patch for a 415 on PATCH
      response.getHeaders().putAll(status.getHeaders());
    }
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    byte[] bytes = json.writeValueAsString(new ErrorBody(answer.message())).getBytes(StandardCharsets.UTF_8);
    DataBuffer buffer = response.bufferFactory().wrap(bytes);
    return response.writeWith(Mono.just(buffer));
  }

  static ErrorAnswer answer(Throwable failure) {
    if (failure instanceof ApiException api) {
      return new ErrorAnswer(api.status(), api.getMessage());
    }
    if (causedBy(failure, io.netty.handler.timeout.TimeoutException.class) != null
        // Reactor Netty's request timeout (its class is not public).
        || causedBy(failure, "reactor.netty.http.server.RequestTimeoutException")) {
      // The client stopped sending its request (orca.http.read-timeout, request-timeout).
      return new ErrorAnswer(HttpStatus.REQUEST_TIMEOUT, "the request was not received in time");
    }
    if (causedBy(failure, DataBufferLimitException.class) != null) {
      return new ErrorAnswer(HttpStatus.CONTENT_TOO_LARGE, "request body is larger than 1 MiB");
    }
    NulRejectingJsonDecoder.NulInTextException nul =
        causedBy(failure, NulRejectingJsonDecoder.NulInTextException.class);
    if (nul != null) {
      return new ErrorAnswer(HttpStatus.BAD_REQUEST, nul.getMessage());
    }
    if (failure instanceof UnsupportedMediaTypeStatusException) {
      return new ErrorAnswer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
    }
    if (failure instanceof NotAcceptableStatusException notAcceptable) {
      List<MediaType> offered = notAcceptable.getSupportedMediaTypes();
      MediaType type = offered.isEmpty() || offered.contains(MediaType.APPLICATION_JSON) ? MediaType.APPLICATION_JSON
          : offered.get(0);
      return new ErrorAnswer(HttpStatus.NOT_ACCEPTABLE, "Accept must allow " + type.getType() + "/" + type.getSubtype());
    }
    if (failure instanceof MethodNotAllowedException notAllowed) {
      return new ErrorAnswer(HttpStatus.METHOD_NOT_ALLOWED,
          "method " + notAllowed.getHttpMethod() + " is not allowed here");
    }
    if (failure instanceof ServerWebInputException input) {
      return new ErrorAnswer(HttpStatus.BAD_REQUEST, inputMessage(input));
    }
    if (failure instanceof ResponseStatusException status) {
      HttpStatusCode code = status.getStatusCode();
      HttpStatus known = HttpStatus.resolve(code.value());
      String fallback = known == null ? "request failed" : known.getReasonPhrase().toLowerCase(Locale.ROOT);
      return new ErrorAnswer(code, code.value() == 404 ? "not found" : safe(status.getReason(), fallback));
    }
    if (failure instanceof DuplicateKeyException) {
      return new ErrorAnswer(HttpStatus.CONFLICT, "already exists");
    }
    return new ErrorAnswer(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
  }

  /** What was wrong with a body, parameter or header, in terms of the request, not of Java. */
  private static String inputMessage(ServerWebInputException input) {
    PropertyBindingException unknown = causedBy(input, PropertyBindingException.class);
    if (unknown != null) {
      return JsonFields.of(unknown.getPath()) + " is not a known field";
    }
    MismatchedInputException mismatch = causedBy(input, MismatchedInputException.class);
    if (mismatch != null) {
      return JsonFields.of(mismatch.getPath()) + " must be " + kind(mismatch.getTargetType());
    }
    InputCoercionException coercion = causedBy(input, InputCoercionException.class);
    if (coercion != null) {
      return JsonFields.of(coercion.getPath()) + " is out of range";
    }
    if (causedBy(input, StreamReadException.class) != null) {
      return "malformed JSON body";
    }
    if (causedBy(input, JacksonException.class) != null) {
      return "invalid JSON body";
    }
    TypeMismatchException conversion = causedBy(input, TypeMismatchException.class);
    if (conversion != null) {
      MethodParameter parameter = input.getMethodParameter();
      String name = conversion.getPropertyName() != null ? conversion.getPropertyName()
          : parameter != null && parameter.getParameterName() != null ? parameter.getParameterName() : "a parameter";
      return name + " must be " + kind(conversion.getRequiredType());
    }
    return safe(input.getReason(), "invalid request");
  }

  /** A JSON type as a client knows it. */
  private static String kind(Class<?> type) {
    if (type == null) {
      return "a valid value";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isPrimitive() && type != char.class || Number.class.isAssignableFrom(type)
        || type == BigDecimal.class || type == BigInteger.class) {
      return "a number";
    }
    if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class || type.isEnum()) {
      return "a string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
      return "an object";
    }
    return "a valid value";
  }

  /** A framework's message, unless it names Java types; then the fallback. */
  private static String safe(String message, String fallback) {
    return message == null || message.isBlank() || JAVA_NAME.matcher(message).find() ? fallback : message;
  }

  /** As {@link #causedBy(Throwable, Class)}, for a class that is not public. */
  private static boolean causedBy(Throwable failure, String className) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getName().equals(className)) {
        return true;
      }
    }
    return false;
  }

  private static <T extends Throwable> T causedBy(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  record ErrorAnswer(HttpStatusCode status, String message) {}
}
