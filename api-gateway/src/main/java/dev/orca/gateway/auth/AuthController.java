package dev.orca.gateway.auth;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ClientAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Registration, login/logout, profile, password change and personal API tokens. */
@RestController
@RequestMapping("/api/v1/auth")
class AuthController {

  static final String SESSION_COOKIE = Sessions.COOKIE;
  private static final String BAD_CREDENTIALS = "invalid email or password";
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private final UserStore users;
  private final LoginThrottle throttle;
  private final PasswordHasher hasher = PasswordHasher.recommended();
  private final OrcaProperties properties;
  private final Sessions sessions;
  private final ClientAddress clientAddress;
  /** Verified against when the email is unknown, so both failures cost the same time. */
  private final Mono<String> decoyHash;

  AuthController(UserStore users, LoginThrottle throttle, OrcaProperties properties, Sessions sessions,
      ClientAddress clientAddress) {
    this.users = users;
    this.clientAddress = clientAddress;
    this.sessions = sessions;
    this.throttle = throttle;
    this.properties = properties;
    this.decoyHash = Mono.fromCallable(() -> hasher.hash(Secrets.randomToken()))
        .subscribeOn(Schedulers.boundedElastic()).cache();
  }

  /** Whether the first user must still register, and whether email and password sign-in is on. */
  record SetupJson(boolean setupRequired, boolean localLogin) {}

  // toString() of bodies with passwords is overridden: a debug log of a request must not carry them.
  record RegisterBody(String email, String name, String password) {
    @Override
    public String toString() {
      return "RegisterBody[email=" + email + ", name=" + name + "]";
    }
  }

  record LoginBody(String email, String password) {
    @Override
    public String toString() {
      return "LoginBody[email=" + email + "]";
    }
  }

  record ProfileBody(String email, String name) {}

  record ChangePasswordBody(String currentPassword, String newPassword) {
    @Override
    public String toString() {
      return "ChangePasswordBody[]";
    }
  }

  record TokenBody(String name) {}

  /** A user as the API shows one; {@code mustChangePassword} after an admin set the password. */
  record UserJson(UUID id, String email, String name, String role, boolean mustChangePassword, Instant createdAt) {
    static UserJson of(UserStore.User user) {
      return new UserJson(user.id(), user.email(), user.name(), user.role(), user.mustChangePassword(), user.createdAt());
    }
  }

  record NewTokenJson(UUID id, String name, String token) {}

  record TokenJson(UUID id, String name, Instant createdAt, Instant lastUsedAt) {}

  @GetMapping("/setup")
  Mono<SetupJson> setup() {
    return users.anyUser().map(present -> new SetupJson(!present, properties.auth().localLogin()));
  }

  @PostMapping("/register")
  @ResponseStatus(HttpStatus.CREATED)
  Mono<UserJson> register(@RequestBody RegisterBody body) {
    String email = email(body.email());
    String name = required(body.name(), "name");
    PasswordRule.check(body.password());
    return users.anyUser()
        .flatMap(present -> present ? Mono.error(closed()) : hash(body.password()))
        .flatMap(hash -> users.insertFirstUser(email, name, hash))
        .switchIfEmpty(Mono.error(AuthController::closed))
        .map(UserJson::of);
  }

  @PostMapping("/login")
  Mono<UserJson> login(@RequestBody LoginBody body, ServerWebExchange exchange) {
    if (body.email() == null || body.password() == null) {
      throw ApiException.badRequest("email and password are required");
    }
    PasswordRule.checkLength(body.password());
    if (!properties.auth().localLogin()) {
      throw ApiException.forbidden("sign-in with email and password is switched off: use your organisation's sign-in");
    }
    String email = body.email().trim();
    if (email.length() > 254) {
      throw ApiException.badRequest("email is not a valid address");
    }
    String address = ClientAddress.throttleKey(clientAddress.of(exchange.getRequest()));
    // One argon2 verification either way, against a decoy hash for an unknown email, so the
    // answer time does not tell which emails exist.
    Mono<UserStore.User> signIn = users.findByEmail(email).map(Optional::of).defaultIfEmpty(Optional.empty())
        .flatMap(found -> (found.isPresent() ? Mono.just(found.get().passwordHash()) : decoyHash)
            .flatMap(hash -> verify(body.password(), hash))
            .flatMap(ok -> ok && found.isPresent() ? Mono.just(found.get()) : Mono.<UserStore.User>empty()))
        .switchIfEmpty(Mono.error(() -> new ApiException(HttpStatus.UNAUTHORIZED, BAD_CREDENTIALS)))
        .flatMap(user -> throttle.succeeded(email, address).thenReturn(user));
    return throttle.attempt(email, address)
        .flatMap(wait -> wait.isZero() ? signIn : Mono.error(ApiException.tooManyRequests(
            "too many failed sign-ins from this address: try again in " + seconds(wait) + " s", seconds(wait))))
        .flatMap(user -> sessions.open(exchange, user.id()).thenReturn(UserJson.of(user)));
  }

  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  @PostMapping("/logout")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> logout(ServerWebExchange exchange) {
    HttpCookie cookie = exchange.getRequest().getCookies().getFirst(SESSION_COOKIE);
    exchange.getResponse().addCookie(sessions.cleared());
    return cookie == null ? Mono.empty() : users.deleteSession(Secrets.sha256(cookie.getValue()));
  }

  @GetMapping("/profile")
  Mono<UserJson> profile(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return users.findById(me.userId()).map(UserJson::of)
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("user not found")));
  }

  @PutMapping("/profile")
  Mono<UserJson> updateProfile(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me, @RequestBody ProfileBody body) {
    return users.findById(me.userId())
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("user not found")))
        .flatMap(user -> {
          String email = body.email() == null ? user.email() : email(body.email());
          String name = body.name() == null ? user.name() : required(body.name(), "name");
          return users.updateProfile(user.id(), email, name)
              .onErrorMap(DataIntegrityViolationException.class, e -> ApiException.conflict("email is already in use"))
              .thenReturn(new UserJson(user.id(), email, name, user.role(), user.mustChangePassword(), user.createdAt()));
        });
  }

  @PostMapping("/change-password")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> changePassword(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me, @RequestBody ChangePasswordBody body,
      ServerWebExchange exchange) {
    PasswordRule.checkLength(body.currentPassword());
    PasswordRule.check(body.newPassword());
    HttpCookie cookie = exchange.getRequest().getCookies().getFirst(SESSION_COOKIE);
    byte[] keep = cookie == null ? null : Secrets.sha256(cookie.getValue());
    return users.findById(me.userId())
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("user not found")))
        .flatMap(user -> verify(body.currentPassword(), user.passwordHash()))
        .flatMap(ok -> ok ? hash(body.newPassword())
            : Mono.error(ApiException.badRequest("current password is incorrect")))
        .flatMap(hash -> users.updatePassword(me.userId(), hash))
        // other sessions were opened with the old password: end them
        .then(users.deleteOtherSessions(me.userId(), keep));
  }

  @GetMapping("/tokens")
  Mono<List<TokenJson>> tokens(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return users.tokens(me.userId())
        .map(t -> new TokenJson(t.id(), t.name(), t.createdAt(), t.lastUsedAt()))
        .collectList();
  }

  @PostMapping("/tokens")
  @ResponseStatus(HttpStatus.CREATED)
  Mono<NewTokenJson> createToken(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me, @RequestBody TokenBody body) {
    String name = required(body.name(), "name");
    String token = "orca_" + Secrets.randomToken();
    return users.createToken(me.userId(), name, Secrets.sha256(token))
        .map(row -> new NewTokenJson(row.id(), row.name(), token));
  }

  @DeleteMapping("/tokens/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> deleteToken(@RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me, @PathVariable String id) {
    UUID tokenId = parseId(id);
    return users.deleteToken(me.userId(), tokenId)
        .flatMap(deleted -> deleted ? Mono.<Void>empty() : Mono.error(ApiException.notFound("token not found")));
  }

  private Mono<String> hash(String password) {
    return Mono.fromCallable(() -> hasher.hash(password)).subscribeOn(Schedulers.boundedElastic());
  }

  private Mono<Boolean> verify(String password, String hash) {
    return Mono.fromCallable(() -> hasher.verify(password, hash)).subscribeOn(Schedulers.boundedElastic());
  }

  private static ApiException closed() {
    return ApiException.forbidden("registration is closed: a user already exists");
  }

  static String email(String value) {
    String email = required(value, "email").toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(email).matches() || email.length() > 254) {
      throw ApiException.badRequest("email is not a valid address");
    }
    return email;
  }

  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    if (value.length() > 200) {
      throw ApiException.badRequest(field + " is too long");
    }
    return value.trim();
  }

  private static UUID parseId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("token not found");
    }
  }
}
