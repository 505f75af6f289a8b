package dev.orca.gateway.repository;

import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import java.time.Instant;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * How the gateway's triggers (manual sync, git webhooks, GitHub Actions) ask for a repository
 * sync: one {@code SyncRequested} on sync-requests, carrying the configuration revision seen
 * now, acknowledged by Kafka before the Mono completes.
 */
@Component
public class SyncRequests {

  private final RepositoryStore store;
  private final KafkaPublisher publisher;
  private final Topics topics;

  SyncRequests(RepositoryStore store, KafkaPublisher publisher, Topics topics) {
    this.store = store;
    this.publisher = publisher;
    this.topics = topics;
  }

  /**
   * Publishes a sync of the repository under {@code syncId}; {@code branch} null syncs every
   * branch in use, {@code commit} null resolves the latest. Empty when the repository is unknown.
   */
  public Mono<String> request(UUID repositoryId, String syncId, SyncTrigger trigger, String actor, String branch,
      String commit) {
    return store.minRevision(repositoryId)
        .flatMap(minRevision -> publisher.publish(topics.syncRequests(), repositoryId.toString(),
            SyncRequested.newBuilder()
                .setSyncId(syncId)
                .setRepositoryId(repositoryId.toString())
                .setTrigger(trigger)
                .setBranch(branch)
                .setCommit(commit)
                .setActor(actor)
                .setMinRevision(minRevision)
                .setAt(Instant.now())
                .build())
            .thenReturn(syncId));
  }

  /** A new sync id. */
  public static String newSyncId() {
    return UUID.randomUUID().toString();
  }
}
