package dev.orca.gateway.auth;

import dev.orca.gateway.web.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code /api/v1/admin/users}, for admins only ({@link AccessRules}): list, create, change and
 * delete users. A password set here must be replaced by its user at the next sign-in, and ends
 * the user's sessions; the last admin can be neither demoted nor deleted (409).
 */
@RestController
@RequestMapping("/api/v1/admin/users")
class AdminUserController {

  private static final Set<String> ROLES = Set.of("admin", "user");

  private final UserStore users;
  private final PasswordHasher hasher = PasswordHasher.recommended();

  AdminUserController(UserStore users) {
    this.users = users;
  }

  record NewUserBody(String email, String name, String password, String role) {
    @Override
    public String toString() {
      return "NewUserBody[email=" + email + ", name=" + name + ", role=" + role + "]";
    }
  }

  record UserChangeBody(String email, String name, String password, String role) {
    @Override
    public String toString() {
      return "UserChangeBody[email=" + email + ", name=" + name + ", role=" + role + "]";
    }
  }

  @GetMapping
  Mono<List<AuthController.UserJson>> list() {
    return users.all().map(AuthController.UserJson::of).collectList();
  }

  @GetMapping("/{id}")
  Mono<AuthController.UserJson> get(@PathVariable String id) {
    return users.findById(parse(id)).map(AuthController.UserJson::of).switchIfEmpty(Mono.error(AdminUserController::notFound));
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<AuthController.UserJson> create(@RequestBody NewUserBody body) {
    String email = AuthController.email(body.email());
    String name = AuthController.required(body.name(), "name");
    String role = role(body.role(), "user");
    PasswordRule.check(body.password());
    return hash(body.password())
        .flatMap(hash -> users.insertUser(email, name, hash, role))
        .onErrorMap(DataIntegrityViolationException.class, e -> ApiException.conflict("email is already in use"))
        .map(AuthController.UserJson::of);
  }

  @PutMapping("/{id}")
  Mono<AuthController.UserJson> update(@PathVariable String id, @RequestBody UserChangeBody body) {
    UUID userId = parse(id);
    String email = body.email() == null ? null : AuthController.email(body.email());
    String name = body.name() == null ? null : AuthController.required(body.name(), "name");
    String role = body.role() == null ? null : role(body.role(), null);
    if (body.password() != null) {
      PasswordRule.check(body.password());
    }
    Mono<String> hash = body.password() == null ? Mono.just("") : hash(body.password());
    return hash
        .flatMap(h -> users.updateUser(userId, new UserStore.UserChange(email, name, role, h.isEmpty() ? null : h)))
        .onErrorMap(DataIntegrityViolationException.class, e -> ApiException.conflict("email is already in use"))
        .onErrorMap(UserStore.LastAdmin.class, e -> ApiException.conflict(e.getMessage()))
        .map(AuthController.UserJson::of)
        .switchIfEmpty(Mono.error(AdminUserController::notFound));
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> delete(@PathVariable String id) {
    return users.deleteUser(parse(id))
        .onErrorMap(UserStore.LastAdmin.class, e -> ApiException.conflict(e.getMessage()))
        .flatMap(deleted -> deleted ? Mono.<Void>empty() : Mono.error(notFound()));
  }

  private Mono<String> hash(String password) {
    return Mono.fromCallable(() -> hasher.hash(password)).subscribeOn(Schedulers.boundedElastic());
  }

  private static String role(String value, String fallback) {
    if (value == null || value.isBlank()) {
      if (fallback == null) {
        throw ApiException.badRequest("role must be admin or user");
      }
      return fallback;
    }
    String role = value.trim().toLowerCase(Locale.ROOT);
    if (!ROLES.contains(role)) {
      throw ApiException.badRequest("role must be admin or user");
    }
    return role;
  }

  private static UUID parse(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw notFound();
    }
  }

  private static ApiException notFound() {
    return ApiException.notFound("user not found");
  }
}
