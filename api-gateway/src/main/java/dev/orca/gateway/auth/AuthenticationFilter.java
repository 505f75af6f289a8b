package dev.orca.gateway.auth;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.RequestPaths;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates every {@code /api/v1} request but the public ones, by session cookie or
 * {@code Authorization: Bearer <api token>}, and puts the {@link CurrentUser} on the exchange.
 * Cookie-authenticated writes, and the logins and registration that set the cookie, are refused
 * when they come from another site (CSRF, login CSRF): an {@code Origin} that is neither this
 * server nor the public URL, without one a {@code Referer} from elsewhere, or a browser's
 * {@code Sec-Fetch-Site: cross-site}. {@code /api/v1/admin} needs the admin role.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class AuthenticationFilter implements WebFilter {

  private static final String API = "/api/v1/";
  /** Anything under /api needs authentication unless listed public, whatever its version. */
  private static final String API_ROOT = "/api/";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final UserStore users;
  private final String publicOrigin;
  private final java.time.Duration idleTimeout;
  private final dev.orca.gateway.support.TokenBuckets<String> perCredential;

  AuthenticationFilter(UserStore users, OrcaProperties properties) {
    this.users = users;
    this.perCredential = new dev.orca.gateway.support.TokenBuckets<>(properties.rateLimit().apiBurst(),
        java.time.Duration.ofNanos(1_000_000_000L / properties.rateLimit().apiPerSecond()), System::nanoTime);
    this.idleTimeout = properties.session().idleTimeout();
    this.publicOrigin = properties.publicUrl() == null || properties.publicUrl().isBlank()
        ? null : origin(URI.create(properties.publicUrl().trim()));
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    // Decided on the path as the router reads it, so no spelling of /api/ gets past.
    String path = RequestPaths.canonical(request.getPath().pathWithinApplication());
    if (!path.startsWith(API_ROOT)
        || path.startsWith(API) && isPublic(request.getMethod(), path.substring(API.length() - 1))) {
      if (path.startsWith(API) && setsSession(request.getMethod(), path.substring(API.length() - 1))
          && !sameOrigin(request)) {
        return Mono.error(ApiException.forbidden("cross-origin request refused"));
      }
      return chain.filter(exchange);
    }
    return authenticate(request)
        .switchIfEmpty(Mono.error(() -> new ApiException(HttpStatus.UNAUTHORIZED, "authentication required")))
        .flatMap(user -> {
          if (user.viaSession() && !SAFE.contains(request.getMethod()) && !sameOrigin(request)) {
            return Mono.error(ApiException.forbidden("cross-origin request refused"));
          }
          // Below /api/v1; another version's path (or /api/ itself) is no route and answers 404.
          String route = path.startsWith(API) ? path.substring(API.length() - 1) : "";
          if (!perCredential.tryAcquire(credentialKey(request))) {
            return Mono.error(ApiException.tooManyRequests("too many requests with this credential: slow down",
                perCredential.retryAfterSeconds()));
          }
          if (AccessRules.adminOnly(request.getMethod(), route) && !user.admin()) {
            return Mono.error(ApiException.forbidden("administrator role required"));
          }
          if (user.mustChangePassword() && !AccessRules.allowedBeforePasswordChange(request.getMethod(), route)) {
            return Mono.error(ApiException.forbidden("password change required: an administrator set your password;"
                + " choose a new one (POST /api/v1/auth/change-password)"));
          }
          exchange.getAttributes().put(CurrentUser.ATTRIBUTE, user);
          return chain.filter(exchange);
        });
  }

  static boolean isPublic(HttpMethod method, String route) {
    return AccessRules.isPublic(method, route);
  }

  static boolean setsSession(HttpMethod method, String route) {
    return AccessRules.setsSession(method, route);
  }

  /** The credential a request authenticated with, as its digest: the key of its rate limit. */
  private static String credentialKey(ServerHttpRequest request) {
    String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return "token:" + java.util.HexFormat.of().formatHex(Secrets.sha256(authorization.substring(7).trim()));
    }
    HttpCookie cookie = request.getCookies().getFirst(AuthController.SESSION_COOKIE);
    return "session:" + java.util.HexFormat.of().formatHex(Secrets.sha256(cookie == null ? "" : cookie.getValue()));
  }

  private Mono<CurrentUser> authenticate(ServerHttpRequest request) {
    String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).trim();
      return token.isEmpty() ? Mono.empty() : users.tokenUser(Secrets.sha256(token));
    }
    HttpCookie cookie = request.getCookies().getFirst(AuthController.SESSION_COOKIE);
    if (cookie != null && !cookie.getValue().isEmpty()) {
      return users.sessionUser(Secrets.sha256(cookie.getValue()), idleTimeout);
    }
    return Mono.empty();
  }

  /**
   * Whether a browser sent this from our own pages. Without Origin, the Referer stands in for it;
   * without both, it is a same-origin or non-browser request.
   */
  private boolean sameOrigin(ServerHttpRequest request) {
    if ("cross-site".equalsIgnoreCase(request.getHeaders().getFirst("Sec-Fetch-Site"))) {
      return false;
    }
    String origin = request.getHeaders().getOrigin();
    if (origin == null) {
      origin = request.getHeaders().getFirst(HttpHeaders.REFERER);
    }
    if (origin == null) {
      return true;
    }
    // Only scheme and authority: a Referer's path may hold characters URI refuses.
    java.util.regex.Matcher authority = SCHEME_AND_AUTHORITY.matcher(origin.trim());
    String normalised;
    try {
      normalised = authority.lookingAt() ? origin(URI.create(authority.group())) : null;
    } catch (IllegalArgumentException e) {
      normalised = null;
    }
    String own = origin(request.getURI());
    return normalised != null && (normalised.equals(own) || normalised.equals(publicOrigin));
  }

  private static final java.util.regex.Pattern SCHEME_AND_AUTHORITY =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*");

  /** scheme://host:port, or null when the host cannot be read (never equal to anything). */
  private static String origin(URI uri) {
    if (uri.getHost() == null) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port == -1) {
      port = "https".equals(scheme) ? 443 : 80;
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }
}
