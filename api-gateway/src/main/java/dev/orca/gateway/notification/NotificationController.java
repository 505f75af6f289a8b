package dev.orca.gateway.notification;

import dev.orca.gateway.auth.CurrentUser;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
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

/**
 * {@code /api/v1/notifications}: channels, their test button and their delivery log. Messages are
 * never sent from here (but the test): the projector queues them with the events that cause them
 * and {@link NotificationSender} sends them.
 */
@RestController
@RequestMapping("/api/v1/notifications")
class NotificationController {

  private final NotificationStore store;
  private final NotificationSender sender;
  private final NotificationRules rules;

  NotificationController(NotificationStore store, NotificationSender sender, OrcaProperties properties) {
    this.store = store;
    this.sender = sender;
    this.rules = new NotificationRules(properties.egress());
  }

  /** SMTP settings as written; {@code password} is write-only (null keeps it on PUT, "" removes it). */
  record EmailBody(String host, Integer port, String security, String username, String password, String from,
      List<String> to) {

    @Override
    public String toString() {
      return "EmailBody[host=" + host + ", port=" + port + ", security=" + security + ", username=" + username
          + ", password=" + (password == null ? "null" : "<redacted>") + ", from=" + from + ", to=" + to + "]";
    }
  }

  /**
   * POST and PUT body. On PUT an absent {@code url} or {@code secret} keeps the stored one (an empty
   * secret removes it); every other field is as on POST. Never printed with its secrets.
   */
  record NotificationBody(String name, String type, String url, String secret, EmailBody email, List<String> events,
      List<String> applicationIds, List<String> repositoryIds, Boolean enabled) {

    @Override
    public String toString() {
      return "NotificationBody[name=" + name + ", type=" + type + ", url=" + NotificationRules.redacted(url)
          + ", secret=" + (secret == null ? "null" : "<redacted>") + ", email=" + email + ", events=" + events
          + ", applicationIds=" + applicationIds + ", repositoryIds=" + repositoryIds + ", enabled=" + enabled + "]";
    }
  }

  record TestJson(boolean delivered, String error) {}

  @GetMapping
  Mono<List<NotificationJson>> list() {
    return store.all().collectList();
  }

  @GetMapping("/{id}")
  Mono<NotificationJson> get(@PathVariable String id) {
    return existing(id);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  Mono<NotificationJson> create(@RequestBody(required = false) NotificationBody body) {
    NotificationStore.Config config = config(body, null);
    return checkReferences(config, null).flatMap(checked -> store.insert(UUID.randomUUID(), checked));
  }

  @PutMapping("/{id}")
  Mono<NotificationJson> update(@PathVariable String id, @RequestBody(required = false) NotificationBody body) {
    return existing(id).flatMap(current -> {
      NotificationStore.Config config = config(body, current);
      return checkReferences(config, current).flatMap(checked -> store.update(current.id(), checked))
          .switchIfEmpty(Mono.error(() -> ApiException.notFound("notification channel not found")));
    });
  }

  @DeleteMapping("/{id}")
  Mono<ResponseEntity<Void>> delete(@PathVariable String id) {
    return existing(id).flatMap(current -> store.delete(current.id()))
        .map(deleted -> ResponseEntity.noContent().<Void>build());
  }

  /** Sends a test message now: 200 {@code {delivered: true}}, or 502 with why the receiver did not take it. */
  @PostMapping("/{id}/test")
  Mono<ResponseEntity<TestJson>> test(@PathVariable String id, @RequestAttribute(CurrentUser.ATTRIBUTE) CurrentUser me) {
    return existing(id)
        .flatMap(current -> sender.test(current.id(), me.actor()))
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("notification channel not found")))
        .map(error -> error.isEmpty() ? ResponseEntity.ok(new TestJson(true, null))
            : ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(new TestJson(false, error)));
  }

  /** The channel's newest deliveries (default 50, at most 200), newest first. */
  @GetMapping("/{id}/deliveries")
  Mono<List<NotificationJson.DeliveryJson>> deliveries(@PathVariable String id,
      @RequestParam(required = false) String limit) {
    int size;
    try {
      size = limit == null ? 50 : Integer.parseInt(limit.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit must be a number");
    }
    if (size < 1 || size > 200) {
      throw ApiException.badRequest("limit must be between 1 and 200");
    }
    return existing(id).flatMap(current -> store.deliveries(current.id(), size).collectList());
  }

  /** The configuration a body asks for; on PUT ({@code current} set) the type cannot change. */
  private NotificationStore.Config config(NotificationBody body, NotificationJson current) {
    if (body == null) {
      throw ApiException.badRequest("a JSON body is required");
    }
    String name = NotificationRules.name(body.name());
    String type = NotificationRules.type(body.type() == null && current != null ? current.type() : body.type());
    if (current != null && !type.equals(current.type())) {
      throw ApiException.badRequest("type cannot change: create another channel");
    }
    List<String> events = NotificationRules.events(body.events());
    List<UUID> applicationIds = NotificationRules.ids(body.applicationIds(), "applicationIds");
    List<UUID> repositoryIds = NotificationRules.ids(body.repositoryIds(), "repositoryIds");
    boolean enabled = body.enabled() == null || body.enabled();
    if (body.secret() != null && !body.secret().isEmpty()) {
      if (!NotificationRules.WITH_SECRET.contains(type)) {
        throw ApiException.badRequest("a " + type + " channel takes no secret: its URL is its credential");
      }
      if (body.secret().length() > 500) {
        throw ApiException.badRequest("secret must be at most 500 characters");
      }
    }
    if (type.equals("email")) {
      if (body.url() != null) {
        throw ApiException.badRequest("an email channel takes email settings, not a url");
      }
      return new NotificationStore.Config(name, type, null, null, email(body.email(), current), events,
          applicationIds, repositoryIds, enabled);
    }
    if (body.email() != null) {
      throw ApiException.badRequest("only an email channel takes email settings");
    }
    String url = body.url() == null && current != null ? null : rules.url(body.url());
    if (type.equals("gotify") && (body.secret() == null || body.secret().isEmpty())
        && (current == null || !current.hasSecret() || "".equals(body.secret()))) {
      throw ApiException.badRequest("a Gotify channel needs its application token as secret");
    }
    return new NotificationStore.Config(name, type, url, body.secret(), null, events, applicationIds, repositoryIds,
        enabled);
  }

  private NotificationStore.Email email(EmailBody email, NotificationJson current) {
    if (email == null) {
      throw ApiException.badRequest("email is required for an email channel: host, port, security, from, to");
    }
    if (email.host() == null || email.host().isBlank() || email.host().length() > 255) {
      throw ApiException.badRequest("email.host is required: the SMTP server");
    }
    String host = email.host().strip();
    rules.host(host, "email.host");
    String security = NotificationRules.security(email.security());
    int port = NotificationRules.port(email.port(), security);
    String username = email.username() == null || email.username().isBlank() ? null : email.username().strip();
    if (username != null && username.length() > 255) {
      throw ApiException.badRequest("email.username must be at most 255 characters");
    }
    if (email.password() != null && email.password().length() > 500) {
      throw ApiException.badRequest("email.password must be at most 500 characters");
    }
    String password = email.password();
    if (current == null && password != null && password.isEmpty()) {
      password = null;
    }
    if (current == null && username != null && password == null) {
      throw ApiException.badRequest("email.password is required with email.username");
    }
    if (password != null && !password.isEmpty() && username == null) {
      throw ApiException.badRequest("email.username is required with email.password");
    }
    if (username != null && security.equals("none")) {
      throw ApiException.badRequest("email.security none would send the password unencrypted: use starttls or tls"
          + " to sign in to the SMTP server");
    }
    if (current == null) {
      // On create there is nothing to keep: null and "" both mean none.
      password = password == null ? "" : password;
    }
    return new NotificationStore.Email(host, port, security, username, password,
        NotificationRules.address(email.from(), "email.from"), NotificationRules.recipients(email.to()));
  }

  /**
   * 400 for an application or repository id that names none, but one the channel already had: that
   * names something deleted since, and the channel can still be saved.
   */
  private Mono<NotificationStore.Config> checkReferences(NotificationStore.Config config, NotificationJson current) {
    return store.unknownApplications(config.applicationIds()).zipWith(store.unknownRepositories(config.repositoryIds()))
        .flatMap(unknown -> {
          List<UUID> apps = unknown.getT1();
          List<UUID> repos = unknown.getT2();
          for (UUID id : apps) {
            if (current == null || !current.applicationIds().contains(id)) {
              return Mono.error(ApiException.badRequest("no application " + id));
            }
          }
          for (UUID id : repos) {
            if (current == null || !current.repositoryIds().contains(id)) {
              return Mono.error(ApiException.badRequest("no repository " + id));
            }
          }
          // Kept as they are: dropping them could widen a channel meant for one application to all.
          return Mono.just(config);
        });
  }

  private Mono<NotificationJson> existing(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiException.notFound("notification channel not found"));
    }
    return store.find(uuid).switchIfEmpty(Mono.error(() -> ApiException.notFound("notification channel not found")));
  }
}
