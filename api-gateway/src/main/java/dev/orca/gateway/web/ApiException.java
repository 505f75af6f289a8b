package dev.orca.gateway.web;

import org.springframework.http.HttpStatus;

/**
 * A failure whose message is safe to show to the client, answered with its status. Handlers
 * throw these; anything else becomes a 500 without details.
 */
public final class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final long retryAfterSeconds;

  public ApiException(HttpStatus status, String message) {
    this(status, message, 0);
  }

  private ApiException(HttpStatus status, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public HttpStatus status() {
    return status;
  }

  /** Seconds the client should wait, sent as {@code Retry-After}; 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** 429 with {@code Retry-After}. */
  public static ApiException tooManyRequests(String message, long retryAfterSeconds) {
    return new ApiException(HttpStatus.TOO_MANY_REQUESTS, message, Math.max(1, retryAfterSeconds));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(HttpStatus.FORBIDDEN, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(HttpStatus.NOT_FOUND, message);
  }

  public static ApiException conflict(String message) {
    return new ApiException(HttpStatus.CONFLICT, message);
  }
}
