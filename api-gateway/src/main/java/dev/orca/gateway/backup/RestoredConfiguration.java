package dev.orca.gateway.backup;

import dev.orca.gateway.support.BackgroundLoop;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The first start after {@code orca import}: the restored rows are in PostgreSQL, but the broker
 * (a new one, usually) has none of the configuration the pipeline reads. Every agent gets its
 * topics and the components' grants on them, and agents, repositories and applications are
 * published again, each application with a sync, so what was deployed is deployed again where
 * its agent runs. Until it has all gone through, the import's mark stays and this runs again
 * (here every half minute, or at the next start): running it twice is harmless.
 */
@Component
class RestoredConfiguration implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RestoredConfiguration.class);
  private static final Duration PASS_TIMEOUT = Duration.ofMinutes(15);

  private final DatabaseClient db;
  private final List<Republisher> republishers;
  private final BackgroundLoop loop;

  RestoredConfiguration(DatabaseClient db, List<Republisher> republishers) {
    this.db = db;
    this.republishers = republishers;
    this.loop = new BackgroundLoop("orca-restore", Duration.ofSeconds(30), log,
        "publishing the configuration of the imported installation", this::republishIfRestored);
  }

  /** True when there was an import to finish, and it is finished now. */
  boolean republishIfRestored() {
    String exportedAt = db.sql("SELECT value FROM system_settings WHERE key = :key")
        .bind("key", Backup.RESTORED_SETTING).map(row -> row.get("value", String.class)).one().block(PASS_TIMEOUT);
    if (exportedAt == null) {
      return false;
    }
    log.info("This database was restored from an export made {}: publishing its configuration to the broker",
        exportedAt);
    // Each kind on its own: agents the broker refuses do not keep repositories and applications back.
    List<String> failures = new java.util.ArrayList<>();
    for (Republisher republisher : republishers) {
      try {
        Integer count = republisher.republishAll().block(PASS_TIMEOUT);
        log.info("Published {} {} again", count, republisher.what());
      } catch (RuntimeException e) {
        failures.add(republisher.what() + ": " + e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      // The mark stays: the next pass publishes everything again (a second time is harmless).
      throw new IllegalStateException(String.join("; ", failures));
    }
    db.sql("DELETE FROM system_settings WHERE key = :key AND value = :value")
        .bind("key", Backup.RESTORED_SETTING).bind("value", exportedAt).fetch().rowsUpdated().block(PASS_TIMEOUT);
    log.info("The imported configuration is published; applications deploy as their syncs go through");
    return true;
  }

  @Override
  public void start() {
    loop.start(Duration.ZERO);
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
