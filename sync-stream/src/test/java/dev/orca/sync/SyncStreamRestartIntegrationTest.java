package dev.orca.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC rule 13 for sync-stream: a real SyncStream is stopped and a new one started on the same
 * state directory and settings; a trigger accepted while it was down, or while it was stopping,
 * becomes exactly one DeployRequested.
 */
class SyncStreamRestartIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  /** How long deploy-requests is watched for a duplicate after the expected record arrived. */
  private static final Duration QUIET = Duration.ofSeconds(4);
  private static final Topics TOPICS = new Topics("it-restart-" + UUID.randomUUID() + ".", 3, (short) 1);
  private static final String COMPOSE = "services:\n  web:\n    image: orca-test/busybox:1\n";

  private static String bootstrap;
  private static KafkaProducer<byte[], byte[]> producer;

  private final GitServer server = GitServer.start();

  @TempDir
  Path dataDir;

  private SyncStream stream;

  @BeforeAll
  static void connect() {
    bootstrap = SharedKafka.bootstrapServers();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void disconnect() {
    if (producer != null) {
      producer.close();
    }
  }

  @AfterEach
  void stop() {
    if (stream != null) {
      stream.close();
    }
    server.close();
  }

  @Test
  void shouldProcessASyncRequestedWhileSyncStreamWasDown() throws Exception {
    String repoId = "repo-" + UUID.randomUUID();
    String appId = "app-" + UUID.randomUUID();
    GitRepo repo = server.createRepository("down-" + repoId);
    String sha = repo.commit("compose.yaml", COMPOSE, "add web");
    SyncStreamSettings settings = settings();
    // Started once and closed, so its consumer group and state directory exist.
    start(settings);
    stream.close();
    stream = null;

    try (TopicReader<SpecificRecord> deploys = new TopicReader<>(bootstrap, TOPICS.deployRequests())) {
      publishConfigAndSync(repo, repoId, appId);
      start(settings);

      await().atMost(WAIT).untilAsserted(() -> assertThat(deploys.poll(appId, DeployRequested.class))
          .singleElement().satisfies(deploy -> assertThat(deploy.getCommit()).isEqualTo(sha)));
    }
  }

  @Test
  void shouldEmitOneDeployRequestedWhenStoppedRightAfterARequest() throws Exception {
    String repoId = "repo-" + UUID.randomUUID();
    String appId = "app-" + UUID.randomUUID();
    GitRepo repo = server.createRepository("stop-" + repoId);
    String sha = repo.commit("compose.yaml", COMPOSE, "add web");
    SyncStreamSettings settings = settings();
    start(settings);

    try (TopicReader<SpecificRecord> deploys = new TopicReader<>(bootstrap, TOPICS.deployRequests())) {
      publishConfigAndSync(repo, repoId, appId);
      // Closed before (or while) the request is processed: whichever, restarting finishes it once.
      stream.close();
      stream = null;
      start(settings);

      await().atMost(WAIT).until(() -> !deploys.poll(appId, DeployRequested.class).isEmpty());
      await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> assertThat(deploys.poll(appId, DeployRequested.class))
          .singleElement().satisfies(deploy -> assertThat(deploy.getCommit()).isEqualTo(sha)));
    }
  }

  @Test
  void shouldFinishASyncStillWaitingOnItsRemoteWhenSyncStreamStopped() throws Exception {
    String repoId = "repo-" + UUID.randomUUID();
    String appId = "app-" + UUID.randomUUID();
    GitRepo repo = server.createRepository("resume-" + repoId);
    String sha = repo.commit("compose.yaml", COMPOSE, "add web");
    SyncStreamSettings settings = settings();
    start(settings);
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         TopicReader<SpecificRecord> statuses = new TopicReader<>(bootstrap, TOPICS.status());
         TopicReader<SpecificRecord> deploys = new TopicReader<>(bootstrap, TOPICS.deployRequests())) {
      // The remote hangs: the sync is queued and SYNCING is committed, its fetch waits.
      Instant now = Instant.now();
      producer.send(TOPICS.configRepositories().record(repoId, RepositoryConfig.newBuilder().setId(repoId)
          .setRevision(1).setUrl("http://127.0.0.1:" + silent.getLocalPort() + "/git/moved").setProvider("generic")
          .setAuthMethod("none").setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(now).build()));
      publishConfigAndSync(repo, repoId, appId, false);
      await().atMost(WAIT).until(() -> !statuses.poll(repoId).isEmpty());
      stream.close();
      stream = null;

      // Meanwhile the repository moved to a server that answers; the queued sync runs again at start.
      producer.send(TOPICS.configRepositories().record(repoId, RepositoryConfig.newBuilder().setId(repoId)
          .setRevision(3).setUrl(repo.url()).setProvider("generic").setAuthMethod("none").setSyncType("manual")
          .setPollingIntervalSeconds(60).setUpdatedAt(Instant.now()).build())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      start(settings);

      await().atMost(WAIT).untilAsserted(() -> assertThat(deploys.poll(appId, DeployRequested.class))
          .singleElement().satisfies(deploy -> assertThat(deploy.getCommit()).isEqualTo(sha)));
      assertThat(stream.isRunning()).as("resuming the queue did not stop the stream").isTrue();
    }
  }

  private SyncStreamSettings settings() {
    return new SyncStreamSettings(bootstrap, TOPICS, dataDir.resolve("streams"), dataDir.resolve("git-cache"),
        true, Duration.ofSeconds(10), Duration.ofSeconds(10), null, 4);
  }

  private void start(SyncStreamSettings settings) throws InterruptedException {
    stream = SyncStream.start(settings);
    assertThat(stream.awaitRunning(WAIT)).as("sync-stream reaches RUNNING").isTrue();
  }

  private static void publishConfigAndSync(GitRepo repo, String repoId, String appId) throws Exception {
    publishConfigAndSync(repo, repoId, appId, true);
  }

  private static void publishConfigAndSync(GitRepo repo, String repoId, String appId, boolean repository)
      throws Exception {
    Instant now = Instant.now();
    if (repository) {
      producer.send(TOPICS.configRepositories().record(repoId, RepositoryConfig.newBuilder().setId(repoId)
          .setRevision(1).setUrl(repo.url()).setProvider("generic").setAuthMethod("none").setSyncType("manual")
          .setPollingIntervalSeconds(60).setUpdatedAt(now).build()));
    }
    producer.send(TOPICS.configApplications().record(appId, ApplicationConfig.newBuilder().setId(appId)
        .setRevision(2).setRepositoryId(repoId).setAgentId("agent-1").setBranch("main")
        .setPath("compose.yaml").setUpdatedAt(now).build()));
    producer.send(TOPICS.syncRequests().record(repoId, SyncRequested.newBuilder().setSyncId("sync-" + UUID.randomUUID())
        .setRepositoryId(repoId).setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(2)
        .setAt(now).build())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    producer.flush();
  }
}
