package dev.orca.gateway.auth;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Who an API token belongs to, for routes outside {@code /api/v1} that take one (the metrics). */
@Component
public class ApiTokens {

  private final UserStore users;

  ApiTokens(UserStore users) {
    this.users = users;
  }

  /** The token's user; empty for a token that is none. */
  public Mono<CurrentUser> user(String token) {
    return token == null || token.isBlank() ? Mono.empty() : users.tokenUser(Secrets.sha256(token.trim()));
  }
}
