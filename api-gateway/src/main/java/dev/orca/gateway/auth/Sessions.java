package dev.orca.gateway.auth;

import dev.orca.gateway.system.OrcaProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Opens a server-side session for a signed-in user and sets its cookie (HttpOnly,
 * SameSite=Strict, Secure behind an https public URL), whichever way they signed in.
 */
@Component
class Sessions {

  static final String COOKIE = "orca_session";

  private final UserStore users;
  private final OrcaProperties properties;

  Sessions(UserStore users, OrcaProperties properties) {
    this.users = users;
    this.properties = properties;
  }

  Mono<Void> open(ServerWebExchange exchange, UUID userId) {
    String token = Secrets.randomToken();
    Duration lifetime = properties.session().lifetime();
    return users.createSession(userId, Secrets.sha256(token), Instant.now().plus(lifetime), properties.session().idleTimeout())
        .then(Mono.fromRunnable(() -> exchange.getResponse().addCookie(cookie(token, lifetime))));
  }

  /** The cookie that ends the session in the browser. */
  ResponseCookie cleared() {
    return cookie("", Duration.ZERO);
  }

  private ResponseCookie cookie(String value, Duration maxAge) {
    return ResponseCookie.from(COOKIE, value)
        .httpOnly(true)
        .sameSite("Strict")
        .path("/")
        .secure(properties.httpsPublicUrl())
        .maxAge(maxAge)
        .build();
  }
}
