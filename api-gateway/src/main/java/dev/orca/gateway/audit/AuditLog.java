package dev.orca.gateway.audit;

import dev.orca.gateway.support.BackgroundLoop;
import dev.orca.gateway.system.OrcaProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code audit_log} table: one row per change, written by {@link AuditFilter}, read newest
 * first by {@code GET /admin/audit-logs}, and pruned once older than the retention
 * ({@code orca.audit.retention}) by a background loop.
 */
@Component
public class AuditLog implements SmartLifecycle {

  /** An exchange attribute a controller sets to name the actor when no user is signed in (a GitHub Actions run). */
  public static final String ACTOR_NAME = "orca.audit.actorName";

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final DatabaseClient db;
  private final Duration retention;
  private final BackgroundLoop pruning;
  private final dev.orca.schemas.crypto.SecretBox secrets;

  AuditLog(DatabaseClient db, OrcaProperties properties, dev.orca.schemas.crypto.SecretBox secrets) {
    this.db = db;
    this.secrets = secrets;
    this.retention = properties.audit().retention();
    this.pruning = new BackgroundLoop("orca-audit-pruning", Duration.ofHours(1), log, "audit log pruning",
        () -> prune().block(Duration.ofMinutes(1)));
  }

  /** Who did it: a user (id and email), a webhook (the repository or application id) or a GitHub Actions run. */
  public record Actor(String type, String id, String name) {}

  public record Entry(long id, Instant at, Actor actor, String action, String entityType, String entityId,
      String changes, int status, String address) {}

  /** Filters of the admin view; null matches anything. */
  public record Query(String actor, String action, String entityType, String entityId, Long before, int limit) {}

  public Mono<Void> record(Actor actor, String action, String entityType, String entityId, String changesJson, int status,
      String address) {
    // The changes may name what is secret at rest (an application's name): sealed like the rest.
    var spec = db.sql("INSERT INTO audit_log (actor_type, actor_id, actor_name, action, entity_type, entity_id,"
            + " changes_encrypted, status, address) VALUES (:actorType, :actorId, :actorName, :action, :entityType,"
            + " :entityId, :changes, :status, :address)")
        .bind("actorType", actor.type()).bind("action", action).bind("status", status);
    spec = bindOrNull(spec, "actorId", actor.id());
    spec = bindOrNull(spec, "actorName", actor.name());
    spec = bindOrNull(spec, "entityType", entityType);
    spec = bindOrNull(spec, "entityId", entityId);
    spec = bindOrNull(spec, "changes", secrets.encrypt(changesJson));
    spec = bindOrNull(spec, "address", address);
    return spec.fetch().rowsUpdated().then();
  }

  private static DatabaseClient.GenericExecuteSpec bindOrNull(DatabaseClient.GenericExecuteSpec spec, String name,
      String value) {
    return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value);
  }

  Flux<Entry> page(Query query) {
    List<String> where = new ArrayList<>();
    Map<String, Object> binds = new java.util.LinkedHashMap<>();
    if (query.before() != null) {
      where.add("id < :before");
      binds.put("before", query.before());
    }
    if (query.actor() != null) {
      where.add("(actor_id = :actor OR lower(actor_name) = lower(:actor))");
      binds.put("actor", query.actor());
    }
    if (query.action() != null) {
      where.add("action = :action");
      binds.put("action", query.action());
    }
    if (query.entityType() != null) {
      where.add("entity_type = :entityType");
      binds.put("entityType", query.entityType());
    }
    if (query.entityId() != null) {
      where.add("entity_id = :entityId");
      binds.put("entityId", query.entityId());
    }
    String sql = "SELECT id, at, actor_type, actor_id, actor_name, action, entity_type, entity_id, changes_encrypted,"
        + " status, address FROM audit_log" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY id DESC LIMIT :limit";
    var spec = db.sql(sql).bind("limit", query.limit());
    for (var bind : binds.entrySet()) {
      spec = spec.bind(bind.getKey(), bind.getValue());
    }
    return spec.map(row -> new Entry(row.get("id", Long.class), row.get("at", Instant.class),
            new Actor(row.get("actor_type", String.class), row.get("actor_id", String.class),
                row.get("actor_name", String.class)),
            row.get("action", String.class), row.get("entity_type", String.class), row.get("entity_id", String.class),
            opened(row.get("changes_encrypted", String.class)), row.get("status", Integer.class),
            row.get("address", String.class)))
        .all();
  }

  private String opened(String sealed) {
    try {
      return secrets.decrypt(sealed);
    } catch (dev.orca.schemas.crypto.SecretBox.DecryptionException e) {
      return null; // sealed under another APP_SECRET: the entry shows without its changes
    }
  }

  Mono<Long> prune() {
    return db.sql("DELETE FROM audit_log WHERE at < now() - make_interval(secs => :seconds)")
        .bind("seconds", (double) retention.toSeconds()).fetch().rowsUpdated();
  }

  @Override
  public void start() {
    pruning.start(Duration.ofMinutes(1));
  }

  @Override
  public void stop() {
    pruning.stop();
  }

  @Override
  public boolean isRunning() {
    return pruning.isRunning();
  }
}
