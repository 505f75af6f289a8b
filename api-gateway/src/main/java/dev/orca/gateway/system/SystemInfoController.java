package dev.orca.gateway.system;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/admin/system-info}, for admins: what runs (versions, uptime, memory), how it
 * is configured (without a secret: no APP_SECRET, no database password) and how much it holds.
 */
@RestController
class SystemInfoController {

  private final DatabaseClient db;
  private final OrcaProperties properties;
  private final dev.orca.gateway.crypto.KeyRotation keys;
  private final dev.orca.gateway.health.HealthChecks health;

  SystemInfoController(DatabaseClient db, OrcaProperties properties, dev.orca.gateway.crypto.KeyRotation keys,
      dev.orca.gateway.health.HealthChecks health) {
    this.db = db;
    this.properties = properties;
    this.keys = keys;
    this.health = health;
  }

  /** Which key seals new values, which previous ones are still read, and how many values they still seal. */
  record KeysJson(String current, java.util.List<String> previous, long valuesUnderOtherKeys) {}

  record RuntimeJson(String version, String javaVersion, String os, int processors, long heapUsedBytes,
      long heapMaxBytes, Instant startedAt, long uptimeSeconds) {}

  record ConfigJson(String publicUrl, String kafkaBootstrap, String topicPrefix, int topicPartitions,
      boolean allowLocalGit, String egressAllow, long sessionIdleTimeoutSeconds, long sessionLifetimeSeconds,
      long auditRetentionDays, int deployTimeoutSeconds) {}

  record CountsJson(long users, long repositories, long applications, long agents) {}

  record SystemInfoJson(RuntimeJson runtime, String database, ConfigJson config, CountsJson counts, KeysJson keys,
      dev.orca.gateway.health.HealthChecks.HealthJson health) {}

  @GetMapping("/api/v1/admin/system-info")
  Mono<SystemInfoJson> info() {
    var runtime = ManagementFactory.getRuntimeMXBean();
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    String version = SystemInfoController.class.getPackage().getImplementationVersion();
    RuntimeJson runtimeJson = new RuntimeJson(version == null ? "development" : version,
        System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(), heap.getUsed(), heap.getMax(),
        Instant.ofEpochMilli(runtime.getStartTime()), Duration.ofMillis(runtime.getUptime()).toSeconds());
    ConfigJson config = new ConfigJson(properties.publicBaseUrl(), properties.kafkaBootstrap(), properties.topicPrefix(),
        properties.topicPartitions(), properties.allowLocalGit(), properties.egressAllow(),
        properties.session().idleTimeout().toSeconds(), properties.session().lifetime().toSeconds(),
        properties.audit().retention().toDays(), properties.deployTimeoutSeconds());
    Mono<String> database = db.sql("SELECT current_setting('server_version') AS v").map(row -> row.get("v", String.class))
        .one().map(v -> "PostgreSQL " + v);
    Mono<CountsJson> counts = db.sql("SELECT (SELECT count(*) FROM users) AS users,"
            + " (SELECT count(*) FROM repositories) AS repositories, (SELECT count(*) FROM applications) AS applications,"
            + " (SELECT count(*) FROM agents) AS agents")
        .map(row -> new CountsJson(row.get("users", Long.class), row.get("repositories", Long.class),
            row.get("applications", Long.class), row.get("agents", Long.class)))
        .one();
    Mono<KeysJson> keyState = keys.pending().map(n -> new KeysJson(keys.currentKeyId(), keys.previousKeyIds(), n));
    return Mono.zip(database, counts, keyState, health.check())
        .map(all -> new SystemInfoJson(runtimeJson, all.getT1(), config, all.getT2(), all.getT3(), all.getT4()));
  }
}
