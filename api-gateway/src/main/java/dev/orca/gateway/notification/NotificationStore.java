package dev.orca.gateway.notification;

import dev.orca.gateway.eventlog.EntityChange;
import dev.orca.gateway.eventlog.EventAppender;
import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The notification channels and their deliveries. Every write appends the channel's live event in
 * its transaction. URL, secret and SMTP password are sealed with APP_SECRET.
 */
@Component
public class NotificationStore {

  private static final String COLUMNS = "id, name, type, url_encrypted, secret_encrypted IS NOT NULL AS has_secret,"
      + " email_host, email_port, email_security, email_username, email_password_encrypted IS NOT NULL AS has_password,"
      + " email_from, email_to, events, application_ids, repository_ids, enabled, last_delivery_at,"
      + " last_delivery_state, last_delivery_error, created_at, updated_at";

  private final DatabaseClient db;
  private final SecretBox secrets;
  private final TransactionalOperator transaction;

  NotificationStore(DatabaseClient db, SecretBox secrets, ReactiveTransactionManager transactions) {
    this.db = db;
    this.secrets = secrets;
    this.transaction = TransactionalOperator.create(transactions);
  }

  /** SMTP settings; {@code password} null keeps the stored one on update, empty removes it. */
  record Email(String host, int port, String security, String username, String password, String from, List<String> to) {

    @Override
    public String toString() {
      return "Email[host=" + host + ", port=" + port + ", security=" + security + ", username=" + username
          + ", password=" + (password == null ? "null" : "<redacted>") + ", from=" + from + ", to=" + to + "]";
    }
  }

  /**
   * What a write sets. {@code url} and {@code secret} null keep the stored ones on update; an empty
   * secret removes it.
   */
  record Config(String name, String type, String url, String secret, Email email, List<String> events,
      List<UUID> applicationIds, List<UUID> repositoryIds, boolean enabled) {

    @Override
    public String toString() {
      return "Config[name=" + name + ", type=" + type + ", url=" + NotificationRules.redacted(url) + ", secret="
          + (secret == null ? "null" : "<redacted>") + ", email=" + email + ", events=" + events + "]";
    }
  }

  /** A channel as the notifier uses it: everything opened. Never logged whole. */
  record Channel(UUID id, String name, String type, String url, String secret, Email email) {

    @Override
    public String toString() {
      return "Channel[id=" + id + ", name=" + name + ", type=" + type + ", url=" + NotificationRules.redacted(url) + "]";
    }
  }

  Flux<NotificationJson> all() {
    return db.sql("SELECT " + COLUMNS + " FROM notification_channels ORDER BY created_at, id").map(this::json).all();
  }

  public Mono<NotificationJson> find(UUID id) {
    return db.sql("SELECT " + COLUMNS + " FROM notification_channels WHERE id = :id").bind("id", id)
        .map(this::json).one();
  }

  Mono<Channel> channel(UUID id) {
    return db.sql("SELECT id, name, type, url_encrypted, secret_encrypted, email_host, email_port, email_security,"
            + " email_username, email_password_encrypted, email_from, email_to FROM notification_channels WHERE id = :id")
        .bind("id", id)
        .map(r -> {
          String type = r.get("type", String.class);
          Email email = "email".equals(type) ? new Email(r.get("email_host", String.class),
              r.get("email_port", Integer.class), r.get("email_security", String.class),
              r.get("email_username", String.class), secrets.decrypt(r.get("email_password_encrypted", String.class)),
              r.get("email_from", String.class), List.of(r.get("email_to", String[].class))) : null;
          return new Channel(r.get("id", UUID.class), r.get("name", String.class), type,
              secrets.decrypt(r.get("url_encrypted", String.class)), secrets.decrypt(r.get("secret_encrypted", String.class)),
              email);
        })
        .one();
  }

  Mono<NotificationJson> insert(UUID id, Config c) {
    Instant now = Instant.now();
    GenericExecuteSpec spec = db.sql("INSERT INTO notification_channels (id, name, type, url_encrypted, secret_encrypted,"
            + " email_host, email_port, email_security, email_username, email_password_encrypted, email_from, email_to,"
            + " events, application_ids, repository_ids, enabled, created_at, updated_at) VALUES (:id, :name, :type,"
            + " :url, :secret, :host, :port, :security, :username, :password, :from, :to, :events, :apps, :repos,"
            + " :enabled, :now, :now)")
        .bind("id", id).bind("now", now);
    return bindConfig(spec, c, false).fetch().rowsUpdated()
        .then(EventAppender.append(db, EntityChange.changed("notification", id.toString())))
        .as(transaction::transactional)
        .then(find(id));
  }

  /** Replaces the channel's settings (what {@link Config} leaves null is kept); empty when it does not exist. */
  Mono<NotificationJson> update(UUID id, Config c) {
    GenericExecuteSpec spec = db.sql("UPDATE notification_channels SET name = :name, type = :type,"
            + " url_encrypted = COALESCE(:url, url_encrypted),"
            + " secret_encrypted = CASE WHEN :keepSecret THEN secret_encrypted ELSE :secret END,"
            + " email_host = :host, email_port = :port, email_security = :security, email_username = :username,"
            + " email_password_encrypted = CASE WHEN :keepPassword THEN email_password_encrypted ELSE :password END,"
            + " email_from = :from, email_to = :to, events = :events, application_ids = :apps,"
            + " repository_ids = :repos, enabled = :enabled, updated_at = now() WHERE id = :id")
        .bind("id", id);
    return bindConfig(spec, c, true).fetch().rowsUpdated()
        .flatMap(rows -> rows == 0 ? Mono.<Long>empty()
            : EventAppender.append(db, EntityChange.changed("notification", id.toString())))
        .as(transaction::transactional)
        .flatMap(seq -> find(id));
  }

  Mono<Boolean> delete(UUID id) {
    return db.sql("DELETE FROM notification_channels WHERE id = :id").bind("id", id).fetch().rowsUpdated()
        .flatMap(rows -> rows == 0 ? Mono.just(false)
            : EventAppender.append(db, EntityChange.deleted("notification", id.toString())).thenReturn(true))
        .as(transaction::transactional);
  }

  /** The channel's newest deliveries, newest first. */
  Flux<NotificationJson.DeliveryJson> deliveries(UUID id, int limit) {
    return db.sql("SELECT id, event, event_id, state, attempts, last_error, application_id, repository_id, agent_id,"
            + " deployment_id, occurred_at, next_attempt_at, sent_at FROM notification_deliveries WHERE channel_id = :id"
            + " ORDER BY id DESC LIMIT :limit")
        .bind("id", id).bind("limit", limit)
        .map(r -> new NotificationJson.DeliveryJson(r.get("id", Long.class), r.get("event", String.class),
            r.get("event_id", String.class), r.get("state", String.class), r.get("attempts", Integer.class),
            r.get("last_error", String.class), r.get("application_id", UUID.class), r.get("repository_id", UUID.class),
            r.get("agent_id", String.class), r.get("deployment_id", String.class), r.get("occurred_at", Instant.class),
            "pending".equals(r.get("state", String.class)) ? r.get("next_attempt_at", Instant.class) : null,
            r.get("sent_at", Instant.class)))
        .all();
  }

  /** Records how the channel's newest delivery went, with its live event. */
  Mono<Void> lastDelivery(UUID id, String state, String error) {
    var spec = db.sql("UPDATE notification_channels SET last_delivery_at = now(), last_delivery_state = :state,"
            + " last_delivery_error = :error WHERE id = :id")
        .bind("id", id).bind("state", state);
    spec = error == null ? spec.bindNull("error", String.class) : spec.bind("error", error);
    return spec.fetch().rowsUpdated()
        .flatMap(rows -> rows == 0 ? Mono.<Long>empty()
            : EventAppender.append(db, EntityChange.changed("notification", id.toString())))
        .as(transaction::transactional)
        .then();
  }

  /** Which of these ids name no application, and no repository. */
  Mono<List<UUID>> unknownApplications(List<UUID> ids) {
    return unknown("applications", ids);
  }

  Mono<List<UUID>> unknownRepositories(List<UUID> ids) {
    return unknown("repositories", ids);
  }

  private Mono<List<UUID>> unknown(String table, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Mono.just(List.of());
    }
    return db.sql("SELECT u FROM unnest(CAST(:ids AS uuid[])) AS u WHERE NOT EXISTS (SELECT 1 FROM " + table
            + " t WHERE t.id = u)")
        .bind("ids", ids.toArray(UUID[]::new))
        .map(r -> r.get("u", UUID.class)).all().collectList();
  }

  private GenericExecuteSpec bindConfig(GenericExecuteSpec spec, Config c, boolean update) {
    spec = spec.bind("name", c.name()).bind("type", c.type())
        .bind("events", c.events().toArray(String[]::new))
        .bind("apps", c.applicationIds().toArray(UUID[]::new))
        .bind("repos", c.repositoryIds().toArray(UUID[]::new))
        .bind("enabled", c.enabled());
    spec = bindText(spec, "url", c.url() == null ? null : secrets.encrypt(c.url()));
    boolean keepSecret = c.secret() == null;
    spec = bindText(spec, "secret", keepSecret || c.secret().isEmpty() ? null : secrets.encrypt(c.secret()));
    Email e = c.email();
    spec = bindText(spec, "host", e == null ? null : e.host());
    spec = e == null ? spec.bindNull("port", Integer.class) : spec.bind("port", e.port());
    spec = bindText(spec, "security", e == null ? null : e.security());
    spec = bindText(spec, "username", e == null ? null : e.username());
    boolean keepPassword = e != null && e.password() == null;
    spec = bindText(spec, "password", e == null || e.password() == null || e.password().isEmpty() ? null
        : secrets.encrypt(e.password()));
    spec = bindText(spec, "from", e == null ? null : e.from());
    spec = e == null ? spec.bindNull("to", String[].class) : spec.bind("to", e.to().toArray(String[]::new));
    if (update) {
      spec = spec.bind("keepSecret", keepSecret).bind("keepPassword", keepPassword);
    }
    return spec;
  }

  private static GenericExecuteSpec bindText(GenericExecuteSpec spec, String name, String value) {
    return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value);
  }

  private NotificationJson json(Readable r) {
    String type = r.get("type", String.class);
    String[] to = r.get("email_to", String[].class);
    NotificationJson.EmailJson email = "email".equals(type) ? new NotificationJson.EmailJson(
        r.get("email_host", String.class), r.get("email_port", Integer.class), r.get("email_security", String.class),
        r.get("email_username", String.class), Boolean.TRUE.equals(r.get("has_password", Boolean.class)),
        r.get("email_from", String.class), to == null ? List.of() : List.of(to)) : null;
    Instant lastAt = r.get("last_delivery_at", Instant.class);
    UUID[] apps = r.get("application_ids", UUID[].class);
    UUID[] repos = r.get("repository_ids", UUID[].class);
    return new NotificationJson(r.get("id", UUID.class), r.get("name", String.class), type,
        NotificationRules.redacted(secrets.decrypt(r.get("url_encrypted", String.class))),
        Boolean.TRUE.equals(r.get("has_secret", Boolean.class)), email, List.of(r.get("events", String[].class)),
        apps == null ? List.of() : List.of(apps), repos == null ? List.of() : List.of(repos),
        Boolean.TRUE.equals(r.get("enabled", Boolean.class)),
        lastAt == null ? null : new NotificationJson.LastDelivery(lastAt, r.get("last_delivery_state", String.class),
            r.get("last_delivery_error", String.class)),
        r.get("created_at", Instant.class), r.get("updated_at", Instant.class));
  }
}
