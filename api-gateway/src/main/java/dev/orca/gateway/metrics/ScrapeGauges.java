package dev.orca.gateway.metrics;

import dev.orca.schemas.crypto.SecretBox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What the database says at each scrape: {@code orca_application_info{application, name,
 * sync_status, health_status} 1} per application, agents by status, deployments in flight, and the
 * backlogs of the outbox (configuration and requests not on the broker yet) and of notifications
 * not sent yet. Read when {@code /metrics} is asked, not on a timer: an unscraped gateway does no work.
 */
@Component
class ScrapeGauges {

  private final DatabaseClient db;
  private final SecretBox secrets;
  private final MultiGauge applications;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  ScrapeGauges(DatabaseClient db, SecretBox secrets, MeterRegistry registry) {
    this.db = db;
    this.secrets = secrets;
    this.applications = MultiGauge.builder("orca.application.info")
        .description("One per application, its sync and health status as labels").register(registry);
    gauge(registry, "orca.agents", "Agents by status", Tags.of("status", "online"), "agents_online");
    gauge(registry, "orca.agents", "Agents by status", Tags.of("status", "offline"), "agents_offline");
    gauge(registry, "orca.deployments.in.progress", "Deployments dispatched and not ended", Tags.empty(), "in_progress");
    gauge(registry, "orca.outbox.backlog", "Records waiting in the outbox for the broker", Tags.empty(), "outbox");
    gauge(registry, "orca.notifications.pending", "Notifications queued and not sent yet", Tags.empty(), "pending");
  }

  private void gauge(MeterRegistry registry, String name, String description, Tags tags, String key) {
    AtomicLong value = values.computeIfAbsent(key, k -> new AtomicLong());
    Gauge.builder(name, value, AtomicLong::get).description(description).tags(tags).register(registry);
  }

  /** Reads everything the gauges show. */
  Mono<Void> refresh() {
    Mono<Void> apps = db.sql("SELECT id, name_encrypted, sync_status, health_status FROM applications")
        .map(row -> MultiGauge.Row.of(Tags.of(
            "application", String.valueOf(row.get("id")),
            "name", String.valueOf(secrets.decrypt(row.get("name_encrypted", String.class))),
            "sync_status", String.valueOf(row.get("sync_status", String.class)).toLowerCase(),
            "health_status", String.valueOf(row.get("health_status", String.class)).toLowerCase()), 1))
        .all()
        .collectList()
        .doOnNext(rows -> applications.register(rows, true))
        .then();
    Mono<Void> counts = db.sql("SELECT"
            + " (SELECT count(*) FROM agents WHERE last_seen >= now() - make_interval(secs => 3 * heartbeat_interval_seconds)) AS online,"
            + " (SELECT count(*) FROM agents) AS agents,"
            + " (SELECT count(*) FROM deployments WHERE state = 'in_progress') AS in_progress,"
            + " (SELECT count(*) FROM outbox) AS outbox,"
            + " (SELECT count(*) FROM notification_deliveries WHERE state = 'pending') AS pending")
        .map(row -> {
          long online = row.get("online", Long.class);
          set("agents_online", online);
          set("agents_offline", row.get("agents", Long.class) - online);
          set("in_progress", row.get("in_progress", Long.class));
          set("outbox", row.get("outbox", Long.class));
          set("pending", row.get("pending", Long.class));
          return List.of();
        })
        .one()
        .then();
    return apps.then(counts);
  }

  private void set(String key, long value) {
    values.get(key).set(value);
  }
}
