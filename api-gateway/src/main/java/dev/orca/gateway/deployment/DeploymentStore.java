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

  /** How many deployments a page of the history holds at most, and when not asked. */
  public static final int MAX_PAGE = 500;
  public static final int DEFAULT_PAGE = 50;

  /**
   * A page of an application's deployments, newest first (by start, then generation): at most
   * {@code limit}, all older than deployment {@code before} when given (empty when that is not one
   * of the application's).
   */
  public Flux<DeploymentJson> ofApplication(UUID applicationId, int limit, String before) {
    if (before == null) {
      return db.sql("SELECT * FROM deployments WHERE application_id = :id"
              + " ORDER BY started_at DESC, generation DESC, id DESC LIMIT :limit")
          .bind("id", applicationId).bind("limit", limit).map(DeploymentStore::json).all();
    }
    return db.sql("SELECT d.* FROM deployments d JOIN deployments b ON b.id = :before AND b.application_id = :id"
            + " WHERE d.application_id = :id AND (d.started_at, d.generation, d.id) < (b.started_at, b.generation, b.id)"
            + " ORDER BY d.started_at DESC, d.generation DESC, d.id DESC LIMIT :limit")
        .bind("id", applicationId).bind("before", before).bind("limit", limit).map(DeploymentStore::json).all();
  }

  /** One deployment as the history returns it, or empty. */
  public Mono<DeploymentJson> find(String id) {
    return db.sql("SELECT * FROM deployments WHERE id = :id").bind("id", id).map(DeploymentStore::json).one();
  }

  private static DeploymentJson json(Readable r) {
    return new DeploymentJson(r.get("id", String.class), r.get("application_id", UUID.class),
        r.get("agent_id", String.class), r.get("generation", Long.class), lower(r.get("reason", String.class)),
        r.get("actor", String.class), r.get("commit_sha", String.class), r.get("digest", String.class),
        lower(r.get("state", String.class)), outcome(lower(r.get("state", String.class))), r.get("error", String.class),
        r.get("started_at", Instant.class),
        r.get("ended_at", Instant.class), r.get("deadline", Instant.class), r.get("updated_at", Instant.class));
  }

  private static String outcome(String state) {
    return state == null || state.equals("in_progress") ? null : state;
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
