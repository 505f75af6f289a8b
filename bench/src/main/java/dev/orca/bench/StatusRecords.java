package dev.orca.bench;

import dev.orca.schemas.Topic;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.SyncStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The records the deploy-dispatcher writes on {@code status} for one deployment that succeeds
 * (DeploymentRules#deploy, then DeployResults on the agent's success), keyed by application id
 * and encoded with the status topic's own serdes, as its Kafka Streams sink does.
 */
final class StatusRecords {

  private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(5);

  private final Topic<String, SpecificRecord> status;

  StatusRecords(Topic<String, SpecificRecord> status) {
    this.status = status;
  }

  /** One deployment of a compose file: what was asked for. */
  record Deployment(String applicationId, String agentId, String deploymentId, long generation, String commit,
      String compose) {

    /** As sync-stream would name the file: its SHA-256 (the dispatcher passes the digest through). */
    String digest() {
      try {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
            .digest(compose.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is always available", e);
      }
    }
  }

  /** Its start: DeploymentChanged IN_PROGRESS, then the application syncing that commit and file. */
  List<ProducerRecord<byte[], byte[]>> started(Deployment d, Instant now) {
    return List.of(
        record(d.applicationId(), deployment(d, DeploymentState.IN_PROGRESS, now, null)),
        record(d.applicationId(), ApplicationStatusChanged.newBuilder()
            .setApplicationId(d.applicationId())
            .setSyncStatus(SyncStatus.SYNCING)
            .setCommit(d.commit())
            .setCommitMessage("bench " + d.commit())
            .setCompose(d.compose())
            .setComposeDigest(d.digest())
            .setDeploymentId(d.deploymentId())
            .setAt(now)
            .build()));
  }

  /** Its success: DeploymentChanged SUCCEEDED, then the application synced and healthy. */
  List<ProducerRecord<byte[], byte[]>> succeeded(Deployment d, Instant startedAt, Instant now) {
    return List.of(
        record(d.applicationId(), deployment(d, DeploymentState.SUCCEEDED, startedAt, now)),
        record(d.applicationId(), synced(d, now)));
  }

  /** The application synced and healthy at the deployment's commit: DeployResults' success. */
  ApplicationStatusChanged synced(Deployment d, Instant now) {
    return ApplicationStatusChanged.newBuilder()
        .setApplicationId(d.applicationId())
        .setDeploymentId(d.deploymentId())
        .setUpdateLastSyncError(true)
        .setSyncStatus(SyncStatus.SYNCED)
        .setHealthStatus(HealthStatus.HEALTHY)
        // When the agent saw it, as DeployResults relays it: the projector's event-time guard runs.
        .setHealthAt(now)
        .setLastSyncedAt(now)
        .setLastSyncError(null)
        .setCompose(d.compose())
        .setComposeDigest(d.digest())
        .setAt(now)
        .build();
  }

  /**
   * A new commit whose file did not change, of an application that already runs that file: the
   * dispatcher records it synced without deploying (DeploymentRules, rule 5).
   */
  ProducerRecord<byte[], byte[]> commitSynced(String applicationId, String commit, Instant now) {
    return record(applicationId, ApplicationStatusChanged.newBuilder()
        .setApplicationId(applicationId)
        .setSyncStatus(SyncStatus.SYNCED)
        .setCommit(commit)
        .setCommitMessage("bench " + commit)
        .setLastSyncedAt(now)
        .setUpdateLastSyncError(true)
        .setLastSyncError(null)
        .setAt(now)
        .build());
  }

  /** The application at a commit with these statuses, as a deployment's end reports them. */
  ProducerRecord<byte[], byte[]> status(String applicationId, SyncStatus sync, HealthStatus health, String commit,
      Instant now) {
    return record(applicationId, ApplicationStatusChanged.newBuilder()
        .setApplicationId(applicationId)
        .setSyncStatus(sync)
        .setHealthStatus(health)
        .setCommit(commit)
        .setCommitMessage("bench " + commit)
        .setLastSyncedAt(now)
        .setAt(now)
        .build());
  }

  ProducerRecord<byte[], byte[]> record(String applicationId, SpecificRecord value) {
    return status.record(applicationId, value);
  }

  private static DeploymentChanged deployment(Deployment d, DeploymentState state, Instant startedAt, Instant endedAt) {
    return DeploymentChanged.newBuilder()
        .setDeploymentId(d.deploymentId())
        .setApplicationId(d.applicationId())
        .setAgentId(d.agentId())
        .setGeneration(d.generation())
        .setReason(DeployReason.SYNC)
        .setActor("bench")
        .setCommit(d.commit())
        .setDigest(d.digest())
        .setState(state)
        .setStartedAt(startedAt)
        .setEndedAt(endedAt)
        .setDeadline(startedAt.plus(DEPLOY_TIMEOUT))
        .setAt(endedAt != null ? endedAt : startedAt)
        .build();
  }
}
