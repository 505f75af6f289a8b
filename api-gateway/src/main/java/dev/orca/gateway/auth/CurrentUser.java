package dev.orca.gateway.auth;

import java.util.UUID;
import org.springframework.web.server.ServerWebExchange;

/**
 * The authenticated caller of a request, put on the exchange by {@link AuthenticationFilter};
 * handlers take it with {@code @RequestAttribute(CurrentUser.ATTRIBUTE)}.
 */
public record CurrentUser(UUID userId, String role, boolean viaSession, String email, boolean mustChangePassword) {

  public static final String ATTRIBUTE = "orca.currentUser";

  public CurrentUser(UUID userId, String role, boolean viaSession) {
    this(userId, role, viaSession, null, false);
  }

  public boolean admin() {
    return "admin".equals(role);
  }

  /** The actor recorded on triggers and commands. */
  public String actor() {
    return userId.toString();
  }

  public static CurrentUser of(ServerWebExchange exchange) {
    return exchange.getAttribute(ATTRIBUTE);
  }
}
