package dev.orca.gateway.auth;

import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.orca.gateway.audit.AuditLog;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.support.TokenBuckets;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ClientAddress;
import dev.orca.schemas.crypto.SecretBox;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sign-in with an OpenID provider, by the authorization code flow with PKCE. {@code start} sends
 * the browser to the provider with a fresh state, nonce and code challenge, kept server-side for
 * ten minutes and bound to the browser by a cookie; {@code callback} takes them back once (a
 * forged, replayed, expired or other browser's state is refused), exchanges the code, validates
 * the ID token ({@link OidcClient}), finds the user by the provider's subject or a verified email
 * (or creates one, when the provider restricts who may sign in by domain or group), maps admin
 * groups to the admin role and opens a session. Failures send the browser back to the sign-in page
 * with the reason; none answers 5xx.
 */
@RestController
class OidcLoginController {

  static final String BROWSER_COOKIE = "orca_oidc";
  static final String CALLBACK = "/api/v1/auth/oidc/callback";
  static final Duration LOGIN_TIME = Duration.ofMinutes(10);
  /** Never a valid PHC hash: an account made by OIDC has no password until an admin sets one. */
  static final String NO_PASSWORD = "!oidc";

  private final OidcProviders providers;
  private final OidcClient client;
  private final SecretBox secrets;
  private final UserStore users;
  private final Sessions sessions;
  private final OrcaProperties properties;
  private final AuditLog audit;
  private final ClientAddress clientAddress;
  /** Starting a sign-in writes a row: a burst of 30 per client address, then one every 2 s. */
  private final TokenBuckets<String> starts = new TokenBuckets<>(30, Duration.ofSeconds(2), System::nanoTime);

  OidcLoginController(OidcProviders providers, OidcClient client, SecretBox secrets, UserStore users, Sessions sessions,
      OrcaProperties properties, AuditLog audit, ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
    this.providers = providers;
    this.client = client;
    this.secrets = secrets;
    this.users = users;
    this.sessions = sessions;
    this.properties = properties;
    this.audit = audit;
  }

  /** A sign-in button of the login page. */
  record ProviderButton(UUID id, String name) {}

  @GetMapping("/api/v1/auth/oidc/providers")
  Mono<List<ProviderButton>> buttons() {
    return providers.all().filter(OidcProviders.Provider::enabled).map(p -> new ProviderButton(p.id(), p.name()))
        .collectList();
  }

  @GetMapping("/api/v1/auth/oidc/{id}/start")
  Mono<ResponseEntity<Void>> start(@PathVariable String id, @RequestParam(required = false) String next,
      ServerWebExchange exchange) {
    if (!starts.tryAcquire(String.valueOf(ClientAddress.throttleKey(clientAddress.of(exchange.getRequest()))))) {
      return Mono.error(ApiException.tooManyRequests("too many sign-ins started from this address: slow down",
          starts.retryAfterSeconds()));
    }
    UUID providerId = parse(id);
    if (providerId == null) {
      return Mono.just(back("this sign-in provider does not exist"));
    }
    String base = properties.publicBaseUrl();
    if (base == null) {
      return Mono.just(back("Orca has no public URL (ORCA_PUBLIC_URL), which the provider must send you back to"));
    }
    return providers.find(providerId).filter(OidcProviders.Provider::enabled)
        .flatMap(provider -> Mono.fromCallable(() -> client.discover(provider.issuer()))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(metadata -> {
              String state = Secrets.randomToken();
              String browser = Secrets.randomToken();
              Nonce nonce = new Nonce();
              CodeVerifier verifier = new CodeVerifier();
              OidcProviders.Login login = new OidcProviders.Login(provider.id(), Secrets.sha256(browser), nonce.getValue(),
                  secrets.encrypt(verifier.getValue()), safeNext(next));
              URI redirect = new AuthenticationRequest.Builder(ResponseType.CODE, Scope.parse(provider.scopes()),
                  new ClientID(provider.clientId()), URI.create(base + CALLBACK))
                  .endpointURI(metadata.getAuthorizationEndpointURI())
                  .state(new State(state))
                  .nonce(nonce)
                  .codeChallenge(verifier, CodeChallengeMethod.S256)
                  .build().toURI();
              return providers.startLogin(Secrets.sha256(state), login, Instant.now().plus(LOGIN_TIME))
                  .thenReturn(ResponseEntity.status(HttpStatus.FOUND).location(redirect)
                      .header(HttpHeaders.SET_COOKIE, browserCookie(browser, LOGIN_TIME).toString())
                      .header(HttpHeaders.CACHE_CONTROL, "no-store").<Void>build());
            }))
        .onErrorResume(OidcClient.OidcFailure.class, e -> Mono.just(back(e.getMessage())))
        .defaultIfEmpty(back("this sign-in provider does not exist or is switched off"));
  }

  @GetMapping(CALLBACK)
  Mono<ResponseEntity<Void>> callback(@RequestParam(required = false) String code,
      @RequestParam(required = false) String state, @RequestParam(required = false) String error,
      @RequestParam(name = "error_description", required = false) String errorDescription, ServerWebExchange exchange) {
    if (error != null) {
      return Mono.just(back("the provider did not sign you in: " + error
          + (errorDescription == null ? "" : " (" + errorDescription + ")")));
    }
    if (code == null || code.isBlank() || state == null || state.isBlank()) {
      return Mono.just(back("the provider's answer has no code or state: start the sign-in again"));
    }
    HttpCookie browser = exchange.getRequest().getCookies().getFirst(BROWSER_COOKIE);
    return providers.takeLogin(Secrets.sha256(state))
        .switchIfEmpty(Mono.error(() -> new OidcClient.OidcFailure("this sign-in is unknown, used or expired: start again")))
        .flatMap(login -> {
          if (browser == null || !MessageDigest.isEqual(login.browserHash(), Secrets.sha256(browser.getValue()))) {
            return Mono.error(new OidcClient.OidcFailure("this sign-in was started in another browser: start again here"));
          }
          return providers.find(login.providerId()).filter(OidcProviders.Provider::enabled)
              .switchIfEmpty(Mono.error(() -> new OidcClient.OidcFailure("the sign-in provider is switched off")))
              .flatMap(provider -> Mono.fromCallable(() -> client.signIn(provider, secrets.decrypt(provider.clientSecretSealed()),
                      code, URI.create(properties.publicBaseUrl() + CALLBACK), secrets.decrypt(login.codeVerifierSealed()),
                      login.nonce()))
                  .subscribeOn(Schedulers.boundedElastic())
                  .flatMap(identity -> admit(provider, identity))
                  .flatMap(user -> sessions.open(exchange, user.id())
                      .then(audit.record(new AuditLog.Actor("user", user.id().toString(), user.email()),
                          "user.login-oidc", "user", user.id().toString(), "{\"provider\":" + quote(provider.name()) + "}",
                          HttpStatus.FOUND.value(), address(exchange)))
                      .thenReturn(ResponseEntity.status(HttpStatus.FOUND)
                          .location(URI.create(login.next() == null ? "/applications" : login.next()))
                          .header(HttpHeaders.SET_COOKIE, browserCookie("", Duration.ZERO).toString())
                          .<Void>build())));
        })
        .onErrorResume(OidcClient.OidcFailure.class, e -> Mono.just(back(e.getMessage())))
        .onErrorResume(ApiException.class, e -> Mono.just(back(e.getMessage())));
  }

  /** The user this identity signs in as, if the provider's rules let them in. */
  private Mono<UserStore.User> admit(OidcProviders.Provider provider, OidcClient.Identity identity) {
    String email = identity.email() == null ? null : identity.email().trim().toLowerCase(Locale.ROOT);
    if (!provider.allowedDomains().isEmpty()) {
      String domain = email == null || !identity.emailVerified() ? null : email.substring(email.indexOf('@') + 1);
      if (domain == null || provider.allowedDomains().stream().noneMatch(d -> d.equalsIgnoreCase(domain))) {
        return Mono.error(new OidcClient.OidcFailure("your email address is not in a domain allowed to sign in here"));
      }
    }
    if (!provider.allowedGroups().isEmpty() && identity.groups().stream().noneMatch(provider.allowedGroups()::contains)) {
      return Mono.error(new OidcClient.OidcFailure("you are in no group allowed to sign in here"));
    }
    Mono<UserStore.User> linked = providers.userOf(provider.id(), identity.subject()).flatMap(users::findById);
    Mono<UserStore.User> byEmail = Mono.defer(() -> {
      if (email == null) {
        return Mono.error(new OidcClient.OidcFailure("the provider gave no email address"));
      }
      if (!identity.emailVerified()) {
        return Mono.error(new OidcClient.OidcFailure("the provider has not verified your email address " + email));
      }
      // Only an account whose email registration or an admin set: not one whose owner typed it in.
      return users.findByConfirmedEmail(email)
          .flatMap(user -> providers.link(provider.id(), identity.subject(), user.id()).thenReturn(user))
          .switchIfEmpty(Mono.defer(() -> provider.allowedDomains().isEmpty() && provider.allowedGroups().isEmpty()
              ? Mono.error(new OidcClient.OidcFailure("no Orca account has the email " + email
                  + ": ask an admin to add you"))
              : users.insertUser(email, identity.name() == null || identity.name().isBlank() ? email : identity.name(),
                      NO_PASSWORD, role(provider, identity, "user"))
                  // Two first sign-ins of one person at once: the other made the account.
                  .onErrorResume(org.springframework.dao.DataIntegrityViolationException.class,
                      e -> users.findByConfirmedEmail(email).switchIfEmpty(Mono.error(new OidcClient.OidcFailure(
                          "an account with the email " + email + " exists already: ask an admin to link it"))))
                  .flatMap(user -> providers.link(provider.id(), identity.subject(), user.id()).thenReturn(user))));
    });
    return linked.switchIfEmpty(byEmail).flatMap(user -> syncRole(provider, identity, user));
  }

  /** With admin groups set, the provider decides the role at every sign-in; the last admin is kept. */
  private Mono<UserStore.User> syncRole(OidcProviders.Provider provider, OidcClient.Identity identity, UserStore.User user) {
    String role = role(provider, identity, user.role());
    if (role.equals(user.role())) {
      return Mono.just(user);
    }
    return users.updateUser(user.id(), new UserStore.UserChange(null, null, role, null))
        .onErrorResume(UserStore.LastAdmin.class, e -> Mono.just(user))
        .defaultIfEmpty(user);
  }

  private static String role(OidcProviders.Provider provider, OidcClient.Identity identity, String otherwise) {
    if (provider.adminGroups().isEmpty()) {
      return otherwise;
    }
    return identity.groups().stream().anyMatch(provider.adminGroups()::contains) ? "admin" : "user";
  }

  private ResponseCookie browserCookie(String value, Duration maxAge) {
    // Lax, not Strict: the browser must send it back on the provider's redirect to the callback.
    return ResponseCookie.from(BROWSER_COOKIE, value).httpOnly(true).sameSite("Lax").path("/api/v1/auth/oidc")
        .secure(properties.httpsPublicUrl()).maxAge(maxAge).build();
  }

  /** Back to the sign-in page, saying why. */
  private static ResponseEntity<Void> back(String why) {
    return ResponseEntity.status(HttpStatus.FOUND)
        .location(URI.create("/login?error=" + URLEncoder.encode(why, StandardCharsets.UTF_8)))
        .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
  }

  /** A path of this site to go to after signing in, or null: never another site. */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.length() > 2000
        || next.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return null;
    }
    try {
      // What the redirect's Location will hold: a path (and query) of this site, nothing else.
      URI uri = new URI(next);
      return uri.getScheme() == null && uri.getRawAuthority() == null ? uri.toASCIIString() : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static UUID parse(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private String address(ServerWebExchange exchange) {
    return clientAddress.of(exchange.getRequest());
  }
}
