package dev.orca.gateway.auth;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.crypto.SecretBox;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
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
 * {@code /api/v1/admin/oidc-providers}, for admins: the OpenID providers people may sign in with.
 * The client secret is write-only (answers say {@code hasClientSecret}); a provider is saved only
 * once its discovery document could be read at its issuer, so a typo fails here, not at sign-in.
 * Answers carry the redirect URI to register at the provider.
 */
@RestController
@RequestMapping("/api/v1/admin/oidc-providers")
class OidcProviderController {

  private static final Pattern GROUP_OR_DOMAIN = Pattern.compile("[^\\s,;]{1,200}");

  private final OidcProviders providers;
  private final OidcClient client;
  private final SecretBox secrets;
  private final OrcaProperties properties;

  OidcProviderController(OidcProviders providers, OidcClient client, SecretBox secrets, OrcaProperties properties) {
    this.providers = providers;
    this.client = client;
    this.secrets = secrets;
    this.properties = properties;
  }

  record ProviderBody(String name, String issuer, String clientId, String clientSecret, String scopes,
      List<String> allowedDomains, List<String> allowedGroups, List<String> adminGroups, String groupsClaim,
      Boolean enabled) {
    @Override
    public String toString() {
      return "ProviderBody[name=" + name + ", issuer=" + issuer + ", clientId=" + clientId + "]";
    }
  }

  record ProviderJson(UUID id, String name, String issuer, String clientId, boolean hasClientSecret, String scopes,
      List<String> allowedDomains, List<String> allowedGroups, List<String> adminGroups, String groupsClaim,
      boolean enabled, String redirectUri, Instant createdAt, Instant updatedAt) {}

  @GetMapping
  Mono<List<ProviderJson>> list() {
    return providers.all().map(this::json).collectList();
  }

  @GetMapping("/{id}")
  Mono<ProviderJson> get(@PathVariable String id) {
    return existing(id).map(this::json);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<ProviderJson> create(@RequestBody ProviderBody body) {
    if (body.clientSecret() == null || body.clientSecret().isBlank()) {
      throw ApiException.badRequest("clientSecret is required");
    }
    Instant now = Instant.now();
    OidcProviders.Provider provider = validate(body, null, UUID.randomUUID(), now);
    return checked(provider).flatMap(p -> providers.save(p, true)).onErrorMap(DataIntegrityViolationException.class,
        e -> ApiException.conflict("a provider named " + body.name().trim() + " exists already")).map(this::json);
  }

  @PutMapping("/{id}")
  Mono<ProviderJson> update(@PathVariable String id, @RequestBody ProviderBody body) {
    return existing(id)
        .flatMap(current -> {
          OidcProviders.Provider changed = validate(body, current, current.id(), Instant.now());
          // Another issuer's subjects are other people: the links to this one's go.
          Mono<Void> unlink = changed.issuer().equals(current.issuer()) ? Mono.empty() : providers.unlinkAll(current.id());
          return checked(changed).flatMap(p -> providers.save(p, false)).flatMap(p -> unlink.thenReturn(p));
        })
        .onErrorMap(DataIntegrityViolationException.class, e -> ApiException.conflict("a provider with that name exists already"))
        .map(this::json);
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> delete(@PathVariable String id) {
    return existing(id).flatMap(p -> providers.delete(p.id())).then();
  }

  /** The provider, once its discovery document was read at its issuer. */
  private Mono<OidcProviders.Provider> checked(OidcProviders.Provider provider) {
    return Mono.fromCallable(() -> client.discover(provider.issuer())).subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(OidcClient.OidcFailure.class, e -> ApiException.badRequest("issuer: " + e.getMessage()))
        .thenReturn(provider);
  }

  private OidcProviders.Provider validate(ProviderBody body, OidcProviders.Provider current, UUID id, Instant now) {
    String name = text(body.name(), current == null ? null : current.name(), "name", 100);
    if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
      throw ApiException.badRequest("name must not contain control or invisible characters");
    }
    String issuer = text(body.issuer(), current == null ? null : current.issuer(), "issuer", 500);
    URI issuerUri;
    try {
      issuerUri = URI.create(issuer);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("issuer is not a URL");
    }
    String scheme = issuerUri.getScheme() == null ? "" : issuerUri.getScheme().toLowerCase(Locale.ROOT);
    if (issuerUri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))
        || issuerUri.getRawQuery() != null || issuerUri.getRawFragment() != null || issuerUri.getRawUserInfo() != null) {
      throw ApiException.badRequest("issuer must be an https:// (or http://) URL without query, fragment or credentials");
    }
    String refusal = properties.egress().checkHost(issuerUri.getHost());
    if (refusal != null) {
      throw ApiException.badRequest("issuer is refused: " + refusal);
    }
    String clientId = text(body.clientId(), current == null ? null : current.clientId(), "clientId", 300);
    String sealed = body.clientSecret() == null || body.clientSecret().isBlank() ? current.clientSecretSealed()
        : secrets.encrypt(body.clientSecret());
    String scopes = body.scopes() == null ? (current == null ? "openid email profile" : current.scopes())
        : body.scopes().trim().replaceAll("\\s+", " ");
    if (!(" " + scopes + " ").contains(" openid ") || scopes.length() > 500) {
      throw ApiException.badRequest("scopes must include openid");
    }
    String groupsClaim = body.groupsClaim() == null ? (current == null ? "groups" : current.groupsClaim())
        : text(body.groupsClaim(), null, "groupsClaim", 100);
    return new OidcProviders.Provider(id, name, issuer, clientId, sealed, scopes,
        list(body.allowedDomains(), current == null ? List.of() : current.allowedDomains(), "allowedDomains", true),
        list(body.allowedGroups(), current == null ? List.of() : current.allowedGroups(), "allowedGroups", false),
        list(body.adminGroups(), current == null ? List.of() : current.adminGroups(), "adminGroups", false),
        groupsClaim, body.enabled() != null ? body.enabled() : current == null || current.enabled(),
        current == null ? now : current.createdAt(), now);
  }

  private static List<String> list(List<String> given, List<String> current, String field, boolean lowerCase) {
    if (given == null) {
      return current;
    }
    if (given.size() > 100) {
      throw ApiException.badRequest(field + " has too many entries (at most 100)");
    }
    List<String> out = new ArrayList<>();
    for (String entry : given) {
      if (entry == null || !GROUP_OR_DOMAIN.matcher(entry.trim()).matches()) {
        throw ApiException.badRequest(field + " entries must be single words");
      }
      String value = entry.trim();
      out.add(lowerCase ? value.toLowerCase(Locale.ROOT) : value);
    }
    return List.copyOf(out);
  }

  private static String text(String value, String current, String field, int max) {
    if (value == null) {
      if (current != null) {
        return current;
      }
      throw ApiException.badRequest(field + " is required");
    }
    if (value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    if (value.length() > max) {
      throw ApiException.badRequest(field + " is too long");
    }
    return value.trim();
  }

  private Mono<OidcProviders.Provider> existing(String id) {
    UUID providerId;
    try {
      providerId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiException.notFound("provider not found"));
    }
    return providers.find(providerId).switchIfEmpty(Mono.error(() -> ApiException.notFound("provider not found")));
  }

  private ProviderJson json(OidcProviders.Provider p) {
    String base = properties.publicBaseUrl();
    return new ProviderJson(p.id(), p.name(), p.issuer(), p.clientId(), p.clientSecretSealed() != null, p.scopes(),
        p.allowedDomains(), p.allowedGroups(), p.adminGroups(), p.groupsClaim(), p.enabled(),
        base == null ? null : base + OidcLoginController.CALLBACK, p.createdAt(), p.updatedAt());
  }
}
