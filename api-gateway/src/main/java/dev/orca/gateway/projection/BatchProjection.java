package dev.orca.gateway.projection;

import dev.orca.gateway.eventlog.EventAppender;
import dev.orca.gateway.imageupdate.ImageUpdates;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.crypto.SecretBox;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Applies one poll batch in one transaction: every record in order, then one {@code events}
 * row per changed entity and {@code NOTIFY orca_events} with the highest seq (delivered at
 * commit). Every write is an absolute set, so applying a batch again changes nothing, except that
 * an agent's image finding applied again may ask for one more image update (which pulls nothing new).
 */
final class BatchProjection {

  private static final Logger log = LoggerFactory.getLogger(BatchProjection.class);

  private final DatabaseClient db;
  private final TransactionalOperator transaction;
  private final RepositoryStatusWriter repositories;
  private final ApplicationWriter applications;
  private final DeploymentWriter deployments;
  private final AgentWriter agents;
  private final DeploymentContentWriter contents;
  private final ProjectionMetrics metrics;

  BatchProjection(DatabaseClient db, SecretBox secrets, Topics topics) {
    this(db, secrets, topics, ProjectionMetrics.none());
  }

  BatchProjection(DatabaseClient db, SecretBox secrets, Topics topics, ProjectionMetrics metrics) {
    this.db = db;
    this.transaction = TransactionalOperator.create(new R2dbcTransactionManager(db.getConnectionFactory()));
    this.repositories = new RepositoryStatusWriter(db, metrics);
    this.applications = new ApplicationWriter(db, secrets, topics);
    this.deployments = new DeploymentWriter(db, metrics);
    this.agents = new AgentWriter(db);
    this.contents = new DeploymentContentWriter(db, secrets);
    this.metrics = metrics;
  }

  /** Completes with the highest events seq written, or 0 when nothing changed. */
  Mono<Long> apply(List<Projected> batch) {
    return Mono.defer(() -> {
      ChangedEntities changes = new ChangedEntities();
      return Flux.fromIterable(newestHeartbeats(batch))
          .concatMap(record -> apply(record, changes))
          .then(Mono.defer(() -> appendEvents(changes)));
    }).as(transaction::transactional);
  }

  /**
   * The batch without the heartbeats a later heartbeat of the same agent in it supersedes: each
   * says all there is (absolute facts and "alive"), so only the newest needs applying.
   */
  static List<Projected> newestHeartbeats(List<Projected> batch) {
    java.util.Map<String, Integer> newest = new java.util.HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Projected record = batch.get(i);
      if (record.agentId() != null && record.message() instanceof Heartbeat) {
        newest.put(record.agentId(), i);
      }
    }
    List<Projected> kept = new java.util.ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Projected record = batch.get(i);
      if (record.agentId() == null || !(record.message() instanceof Heartbeat) || newest.get(record.agentId()) == i) {
        kept.add(record);
      }
    }
    return kept;
  }

  private Mono<Void> apply(Projected record, ChangedEntities changes) {
    SpecificRecord message = record.message();
    metrics.projected(message.getClass().getSimpleName());
    if (record.agentId() == null) {
      if (message instanceof ApplicationStatusChanged event) {
        return applications.apply(event, changes);
      } else if (message instanceof RepositoryStatusChanged event) {
        return repositories.apply(event, changes);
      } else if (message instanceof DeploymentChanged event) {
        return deployments.apply(event, changes);
      } else if (message instanceof ApplicationRemovalFinished event) {
        return applications.apply(event, changes);
      } else if (message instanceof AgentRetirementSeen seen) {
        return agents.apply(seen);
      } else if (message instanceof DeployRequested request) {
        return contents.apply(request);
      }
    } else if (message instanceof Heartbeat heartbeat) {
      return agents.apply(record.agentId(), heartbeat, record.receivedAt(), changes);
    } else if (message instanceof HealthReport report) {
      return applications.apply(record.agentId(), report, changes);
    } else if (message instanceof ImageUpdateFound found) {
      return imageUpdate(record.agentId(), found);
    }
    // DeployResult and RemoveResult reach the database through the dispatcher's status events.
    return Mono.empty();
  }

  /**
   * The agent's image check found newer images: an image update of the application, if it is that
   * agent's, still asks for checks, and no other deployment of it is in flight (that one may change
   * the stack; the agent checks again after it and reports what is still behind).
   */
  private Mono<Void> imageUpdate(String agentId, ImageUpdateFound found) {
    UUID applicationId;
    try {
      applicationId = UUID.fromString(found.getApplicationId());
    } catch (IllegalArgumentException e) {
      return Mono.empty();
    }
    // A deployment of the application still in flight makes the finding stale: it may change the
    // stack, and the agent checks again after it. One that ended without changing what the agent
    // runs (failed on the way, never reached it) does not: the finding is about what runs.
    return db.sql("SELECT id FROM deployments WHERE application_id = :id AND id <> :found AND state = 'in_progress'"
            + " LIMIT 1")
        .bind("id", applicationId)
        .bind("found", found.getDeploymentId())
        .map(row -> row.get("id", String.class))
        .one()
        .defaultIfEmpty("")
        .flatMap(inFlight -> {
          if (!inFlight.isEmpty()) {
            log.debug("agent {} found new images for {} in deployment {} while deployment {} is in flight: ignored",
                agentId, applicationId, found.getDeploymentId(), inFlight);
            return Mono.empty();
          }
          return ImageUpdates.requestFromAgent(db, applicationId, agentId)
              .doOnNext(deploymentId -> log.info("agent {} found new images for {} ({}): image update {}", agentId,
                  applicationId, String.join("; ", found.getServices()), deploymentId))
              .switchIfEmpty(Mono.fromRunnable(() -> log.debug("agent {} found new images for {}: ignored, the"
                  + " application is gone, not assigned to it or does not ask for image checks", agentId,
                  applicationId)));
        })
        .then();
  }

  private Mono<Long> appendEvents(ChangedEntities changes) {
    return EventAppender.append(db, changes.list());
  }
}
