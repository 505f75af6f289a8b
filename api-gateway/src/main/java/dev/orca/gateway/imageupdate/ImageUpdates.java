package dev.orca.gateway.imageupdate;

import dev.orca.gateway.outbox.Outbox;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Image updates asked for and not yet sent, one per application (table {@code image_updates}). A
 * request is due {@link #DEBOUNCE} after the last one for the same application, and at most
 * {@link #MAX_WAIT} after the first, so a burst (a multi-platform push, several tags, a registry
 * retrying) is one deployment and a steady stream still deploys. Every request of a burst is
 * answered the same deployment id. A sweeper turns due rows into image-update sync requests in the
 * outbox, deleting each in the same transaction, so a request survives a gateway restart and is
 * sent once even with several gateways ({@code SKIP LOCKED}).
 */
@Component
public class ImageUpdates implements InitializingBean, DisposableBean {

  /** Quiet time after the last request before the update is sent. */
  public static final Duration DEBOUNCE = Duration.ofSeconds(3);
  /** The longest a burst can hold an update back. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(30);
  private static final Duration SWEEP_EVERY = Duration.ofMillis(500);
  private static final Logger log = LoggerFactory.getLogger(ImageUpdates.class);

  private final DatabaseClient db;
  private final Outbox outbox;
  private final Topics topics;
  private Disposable sweeper;

  ImageUpdates(DatabaseClient db, Outbox outbox, Topics topics) {
    this.db = db;
    this.outbox = outbox;
    this.topics = topics;
  }

  /**
   * Asks for an image update of the application by {@code actor}; answers the deployment id it
   * will run under (that of the request already waiting, if any). Empty when the application does
   * not exist.
   */
  public Mono<String> request(UUID applicationId, String actor) {
    return upsert(db, applicationId, actor, null);
  }

  /**
   * As {@link #request}, for an agent's image check: only for an application assigned to
   * {@code agentId} that asks for image checks (an agent's report never acts on another's
   * applications). Runs on {@code db}, so the projector can call it inside its transaction.
   */
  public static Mono<String> requestFromAgent(DatabaseClient db, UUID applicationId, String agentId) {
    return upsert(db, applicationId, "image-poll:" + agentId, agentId);
  }

  private static Mono<String> upsert(DatabaseClient db, UUID applicationId, String actor, String agentId) {
    String onlyIf = agentId == null ? "" : " AND agent_id = :agent AND image_polling";
    DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO image_updates"
            + " (application_id, deployment_id, actor, first_at, due_at)"
            + " SELECT id, :deployment, :actor, now(), now() + make_interval(secs => :debounce)"
            // A pinned application takes no new images until it is unpinned.
            + " FROM applications WHERE id = :id AND pinned_deployment_id IS NULL" + onlyIf
            // Holds the application against a delete that commits meanwhile (the row is then
            // skipped, not a foreign key violation).
            + " FOR KEY SHARE"
            + " ON CONFLICT (application_id) DO UPDATE SET actor = EXCLUDED.actor, due_at = LEAST("
            + "EXCLUDED.due_at, image_updates.first_at + make_interval(secs => :maxWait))"
            + " RETURNING deployment_id")
        .bind("deployment", UUID.randomUUID().toString())
        .bind("actor", actor)
        .bind("debounce", (double) DEBOUNCE.toMillis() / 1000)
        .bind("maxWait", (double) MAX_WAIT.toMillis() / 1000)
        .bind("id", applicationId);
    if (agentId != null) {
      spec = spec.bind("agent", agentId);
    }
    return spec.map(row -> row.get("deployment_id", String.class)).one();
  }

  @Override
  public void afterPropertiesSet() {
    sweeper = Flux.interval(SWEEP_EVERY)
        .onBackpressureDrop()
        .concatMap(tick -> sendDue().onErrorResume(e -> {
          log.warn("image update sweep failed: {}", e.toString());
          return Mono.empty();
        }), 1)
        .subscribe();
  }

  @Override
  public void destroy() {
    if (sweeper != null) {
      sweeper.dispose();
    }
  }

  private record Due(UUID applicationId, String deploymentId, String actor, UUID repositoryId, long revision,
      boolean beingRemoved, boolean pinned) {}

  /**
   * Sends the due updates: each becomes a sync request of its application's repository, at the
   * configuration revision it has now, in the transaction that deletes its row. One for an
   * application being removed is dropped.
   */
  Mono<Void> sendDue() {
    // A look first, outside a transaction: an idle sweep neither opens one nor wakes the relay.
    return db.sql("SELECT EXISTS (SELECT 1 FROM image_updates WHERE due_at <= now()) AS due")
        .map(row -> Boolean.TRUE.equals(row.get("due", Boolean.class)))
        .one()
        .filter(Boolean::booleanValue)
        .flatMap(due -> sendDueNow());
  }

  private Mono<Void> sendDueNow() {
    return outbox.transaction(db.sql("DELETE FROM image_updates u USING applications a"
                + " WHERE u.application_id = a.id AND u.application_id IN (SELECT application_id FROM image_updates"
                + " WHERE due_at <= now() ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED)"
                + " RETURNING u.application_id, u.deployment_id, u.actor, a.repository_id, a.revision,"
                + " (a.removal_request_id IS NOT NULL AND a.removal_deadline > now()) AS being_removed,"
                + " a.pinned_deployment_id IS NOT NULL AS pinned")
            .map(row -> new Due(row.get("application_id", UUID.class), row.get("deployment_id", String.class),
                row.get("actor", String.class), row.get("repository_id", UUID.class), row.get("revision", Long.class),
                Boolean.TRUE.equals(row.get("being_removed", Boolean.class)),
                Boolean.TRUE.equals(row.get("pinned", Boolean.class))))
            .all()
            .concatMap(this::send)
            .then())
        .then();
  }

  private Mono<Long> send(Due due) {
    if (due.beingRemoved()) {
      log.info("image update {} of {} dropped: the application is being removed", due.deploymentId(),
          due.applicationId());
      return Mono.empty();
    }
    if (due.pinned()) {
      log.info("image update {} of {} dropped: the application is pinned by a rollback", due.deploymentId(),
          due.applicationId());
      return Mono.empty();
    }
    log.info("image update of {} sent as deployment {} (asked by {})", due.applicationId(), due.deploymentId(),
        due.actor());
    return outbox.append(topics.syncRequests(), due.repositoryId().toString(), SyncRequested.newBuilder()
        .setSyncId(UUID.randomUUID().toString())
        .setRepositoryId(due.repositoryId().toString())
        .setTrigger(SyncTrigger.IMAGE_UPDATE)
        .setApplicationId(due.applicationId().toString())
        .setDeploymentId(due.deploymentId())
        .setPullImages(true)
        .setActor(due.actor())
        .setMinRevision(due.revision())
        .setAt(Instant.now())
        .build());
  }
}
