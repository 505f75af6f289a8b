package dev.orca.gateway.deployment;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads the deployments table (the projector writes it). */
@Component
public class DeploymentStore {

  private final DatabaseClient db;

  DeploymentStore(DatabaseClient db) {
    this.db = db;
  }

  /** An application's deployments, newest first. */
  public Flux<DeploymentJson> ofApplication(UUID applicationId) {
    return db.sql("SELECT * FROM deployments WHERE application_id = :id ORDER BY started_at DESC, generation DESC")
        .bind("id", applicationId).map(DeploymentStore::json).all();
  }

  /** One deployment as the history returns it, or empty. */
  public Mono<DeploymentJson> find(String id) {
    return db.sql("SELECT * FROM deployments WHERE id = :id").bind("id", id).map(DeploymentStore::json).one();
  }

  private static DeploymentJson json(Readable r) {
    return new DeploymentJson(r.get("id", String.class), r.get("application_id", UUID.class),
        r.get("agent_id", String.class), r.get("generation", Long.class), lower(r.get("reason", String.class)),
        r.get("actor", String.class), r.get("commit_sha", String.class), r.get("digest", String.class),
        lower(r.get("state", String.class)), r.get("error", String.class), r.get("started_at", Instant.class),
        r.get("ended_at", Instant.class), r.get("deadline", Instant.class), r.get("updated_at", Instant.class));
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
