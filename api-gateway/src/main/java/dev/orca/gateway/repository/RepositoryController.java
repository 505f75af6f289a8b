package dev.orca.gateway.repository;

import dev.orca.gateway.auth.CurrentUser;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ListQuery;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.SecretBox;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code /api/v1/repositories}: configuration and manual sync of git repositories. */
@RestController
@RequestMapping("/api/v1/repositories")
class RepositoryController {

  private final RepositoryStore store;
  private final RepositoryRules rules;
  private final SecretBox secrets;
  private final SyncRequests syncRequests;

  RepositoryController(RepositoryStore store, OrcaProperties properties, SecretBox secrets, SyncRequests syncRequests) {
    this.store = store;
    this.rules = new RepositoryRules(properties.egress());
    this.secrets = secrets;
    this.syncRequests = syncRequests;
  }

  record SyncJson(String syncId) {}

  private static final List<String> SYNC_STATUSES = ListQuery.valuesOf(dev.orca.schemas.avro.RepositorySyncStatus.class);

  /**
   * The repositories by name. Filters: {@code syncStatus}, {@code syncType}, {@code provider} (one
   * value or several, comma-separated); {@code q} searches the name and URL; {@code limit} with
   * {@code offset} or {@code after} pages it (see {@link ListQuery}).
   */
  @GetMapping
  Mono<ResponseEntity<List<RepositoryJson>>> list(@RequestParam(required = false) String q,
      @RequestParam(required = false) String syncStatus, @RequestParam(required = false) String syncType,
      @RequestParam(required = false) String provider, @RequestParam(required = false) String limit,
      @RequestParam(required = false) String offset, @RequestParam(required = false) String after,
      ServerHttpRequest request) {
    ListQuery query = ListQuery.of(q, limit, offset, after);
    Set<String> statuses = ListQuery.oneOf("syncStatus", syncStatus, SYNC_STATUSES);
    Set<String> types = ListQuery.oneOf("syncType", syncType, new TreeSet<>(RepositoryRules.SYNC_TYPES));
    Set<String> providers = ListQuery.oneOf("provider", provider, new TreeSet<>(RepositoryRules.PROVIDERS));
    return store.all().map(store::json)
        .filter(repository -> statuses.isEmpty() || statuses.contains(repository.syncStatus()))
        .filter(repository -> types.isEmpty() || types.contains(repository.syncType()))
        .filter(repository -> providers.isEmpty() || providers.contains(repository.provider()))
        .filter(repository -> query.matches(repository.name(), repository.url()))
        .collectList()
        .map(repositories -> query.answer(repositories, repository -> repository.id().toString(), request));
  }

  @GetMapping("/{id}")
  Mono<RepositoryJson> get(@PathVariable String id) {
    return existing(id).map(store::json);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<RepositoryJson> create(@RequestBody RepositoryBody body) {
    RepositoryStore.Config config = validate(body, null);
    return store.insert(UUID.randomUUID(), config).map(store::json);
  }

  @PutMapping("/{id}")
  Mono<RepositoryJson> update(@PathVariable String id, @RequestBody RepositoryBody body) {
    return existing(id)
        .flatMap(row -> store.update(row.id(), validate(body, row.config())))
        .map(store::json);
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  Mono<Void> delete(@PathVariable String id) {
    return existing(id)
        .flatMap(row -> store.applicationCount(row.id()).flatMap(count -> count > 0
            ? Mono.error(ApiException.conflict("repository " + row.config().name() + " is still used by " + count
                + " application(s)"))
            : store.delete(row.id())))
        .then();
  }

  @PostMapping("/{id}/sync")
  @ResponseStatus(HttpStatus.ACCEPTED)
  Mono<SyncJson> sync(@PathVariable String id, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return syncRequests.request(RepositoryIds.parse(id), SyncRequests.newSyncId(), SyncTrigger.MANUAL, me.actor(),
            null, null)
        .switchIfEmpty(Mono.error(RepositoryIds::notFound))
        .map(SyncJson::new);
  }

  /**
   * The configuration this body sets, merged over {@code current} for PUT (absent fields keep
   * their value); secrets are encrypted here and nowhere else.
   */
  private RepositoryStore.Config validate(RepositoryBody body, RepositoryStore.Config current) {
    if (body == null) {
      throw ApiException.badRequest("a JSON body is required");
    }
    boolean creating = current == null;
    String name = RepositoryRules.name(pick(body.name(), creating ? null : current.name()));
    String url = rules.url(pick(body.url(), creating ? null : current.url()));
    String provider = RepositoryRules.oneOf(body.provider(), RepositoryRules.PROVIDERS, "provider",
        creating ? "generic" : current.provider());
    String authMethod = RepositoryRules.oneOf(body.authMethod(), RepositoryRules.AUTH_METHODS, "authMethod",
        creating ? "none" : current.authMethod());
    String syncType = RepositoryRules.oneOf(body.syncType(), RepositoryRules.SYNC_TYPES, "syncType",
        creating ? "manual" : current.syncType());
    int interval = body.pollingInterval() == null && !creating ? current.pollingInterval()
        : RepositoryRules.pollingInterval(body.pollingInterval());
    String username = body.username() != null ? emptyToNull(body.username()) : creating ? null : current.username();

    String secret = body.secret();
    if (secret == null && !creating && current.secretEncrypted() != null && !"none".equals(authMethod)
        && !RepositoryRules.server(url).equals(RepositoryRules.server(current.url()))) {
      throw ApiException.badRequest("the URL names another server: give the credentials again (a stored secret is"
          + " only sent to the server it was given for)");
    }
    String secretEncrypted = secret != null ? secrets.encrypt(emptyToNull(secret)) : creating ? null
        : current.secretEncrypted();
    String webhook = body.webhookSecret();
    String webhookEncrypted = webhook != null ? secrets.encrypt(emptyToNull(webhook)) : creating ? null
        : current.webhookSecretEncrypted();

    if ("none".equals(authMethod)) {
      secretEncrypted = null;
    } else if (secretEncrypted == null) {
      throw ApiException.badRequest("authMethod " + authMethod + " needs "
          + switch (authMethod) {
            case "basic" -> "a password";
            case "ssh" -> "an sshPrivateKey";
            default -> "a token";
          });
    }
    if ("basic".equals(authMethod) && username == null) {
      throw ApiException.badRequest("authMethod basic needs a username");
    }
    if ("webhook".equals(syncType) && webhookEncrypted == null) {
      throw ApiException.badRequest("syncType webhook needs a webhookSecret");
    }
    RepositoryJson.GitHubActions actions = RepositoryRules.githubActions(body.githubActions(),
        creating ? RepositoryJson.GitHubActions.DISABLED : current.githubActions(), url);
    return new RepositoryStore.Config(name, url, provider, authMethod, username, secretEncrypted, syncType, interval,
        webhookEncrypted, actions);
  }

  private Mono<RepositoryStore.Row> existing(String id) {
    return store.find(RepositoryIds.parse(id)).switchIfEmpty(Mono.error(RepositoryIds::notFound));
  }

  private static String pick(String given, String current) {
    return given != null ? given : current;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
