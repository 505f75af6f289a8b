package dev.orca.gateway.application;

import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.schemas.crypto.SecretBox;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Brings every application's blind index up to the current rule ({@link BlindIndex#normalise})
 * before the gateway serves requests: names indexed by an earlier rule would otherwise let a
 * look-alike in beside them. Two applications whose names the rule now makes one keep their
 * index, with a warning to rename one: the gateway still starts. Names are decrypted here only.
 */
@Component
class ApplicationNameIndexes implements SmartLifecycle, dev.orca.gateway.crypto.KeyRotation.NameIndexing {

  private static final Logger log = LoggerFactory.getLogger(ApplicationNameIndexes.class);
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final DatabaseClient db;
  private final SecretBox secrets;
  private final BlindIndex index;
  private volatile boolean running;

  ApplicationNameIndexes(DatabaseClient db, SecretBox secrets, BlindIndex index) {
    this.db = db;
    this.secrets = secrets;
    this.index = index;
  }

  private record Indexed(UUID id, String agentId, String nameEncrypted, String nameHash) {}

  /** Re-indexes what the current rule (and key) indexes differently; how many it changed. */
  @Override
  public int reindex() {
    List<Indexed> rows = db.sql("SELECT id, agent_id, name_encrypted, name_hash FROM applications")
        .map(row -> new Indexed(row.get("id", UUID.class), row.get("agent_id", String.class),
            row.get("name_encrypted", String.class), row.get("name_hash", String.class)))
        .all().collectList().block(TIMEOUT);
    int changed = 0;
    for (Indexed row : rows == null ? List.<Indexed>of() : rows) {
      try {
        String current = index.of(secrets.decrypt(row.nameEncrypted()));
        if (current.equals(row.nameHash())) {
          continue;
        }
        db.sql("UPDATE applications SET name_hash = :hash WHERE id = :id AND name_hash = :old")
            .bind("hash", current).bind("id", row.id()).bind("old", row.nameHash())
            .fetch().rowsUpdated().block(TIMEOUT);
        changed++;
      } catch (DataIntegrityViolationException e) {
        log.warn("application {} on agent {} has a name another application there now counts as the same"
            + " (they differ only in characters no one can see or tell apart); rename it: until then any"
            + " change to it answers 409", row.id(), row.agentId());
      } catch (RuntimeException e) {
        log.warn("cannot re-index the name of application {}: {}", row.id(), e.toString());
      }
    }
    if (changed > 0) {
      log.info("re-indexed the names of {} applications by the current rule", changed);
    }
    return changed;
  }

  @Override
  public void start() {
    reindex();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Before the web server starts serving. */
  @Override
  public int getPhase() {
    return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
  }
}
