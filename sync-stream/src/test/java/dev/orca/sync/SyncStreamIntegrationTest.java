package dev.orca.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncStreamIntegrationTest {

  private final Topics topics = new Topics("it-" + UUID.randomUUID() + ".", 3, (short) 1);
  private static final String APP_SECRET = "integration-test-app-secret-0123456789abcdef";

  private GitServer server;

  @TempDir
  Path dataDir;

  private SyncStream stream;

  @AfterEach
  void stop() {
    if (stream != null) {
      stream.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldDeployTheComposeFileAtTheBranchsLatestCommit() throws Exception {
    server = GitServer.start();
    GitRepo repo = server.createRepository("shop");
    String compose = "services:\n  web:\n    image: orca-test/busybox:1\n";
    String sha = repo.commit("compose.yaml", compose, "add web\n\nwith details");
    String bootstrap = SharedKafka.bootstrapServers();
    stream = SyncStream.start(new SyncStreamSettings(bootstrap, topics, dataDir.resolve("streams"),
        dataDir.resolve("git-cache"), true, Duration.ofSeconds(10), Duration.ofSeconds(10), null, 4));
    await().atMost(Duration.ofSeconds(60)).until(stream::isRunning);

    Instant now = Instant.now();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      // The request is sent first on purpose: the revision gate must hold it until the config arrives.
      producer.send(topics.syncRequests().record("repo-1", SyncRequested.newBuilder().setSyncId("sync-1")
          .setRepositoryId("repo-1").setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(2)
          .setAt(now).build()));
      producer.flush();
      producer.send(topics.configRepositories().record("repo-1", RepositoryConfig.newBuilder().setId("repo-1")
          .setRevision(1).setUrl(repo.url()).setProvider("generic").setAuthMethod("none").setSyncType("manual")
          .setPollingIntervalSeconds(60).setUpdatedAt(now).build()));
      producer.send(topics.configApplications().record("app-1", ApplicationConfig.newBuilder().setId("app-1")
          .setRevision(2).setRepositoryId("repo-1").setAgentId("agent-1").setBranch("main")
          .setPath("compose.yaml").setUpdatedAt(now).build()));
    }

    List<SpecificRecord> deploys;
    List<SpecificRecord> statuses;
    try (TopicReader<SpecificRecord> deployReader = new TopicReader<>(bootstrap, topics.deployRequests());
         TopicReader<SpecificRecord> statusReader = new TopicReader<>(bootstrap, topics.status())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        List<SpecificRecord> seenDeploys = deployReader.poll();
        List<SpecificRecord> seenStatuses = statusReader.poll();
        return !seenDeploys.isEmpty() && seenStatuses.size() >= 2;
      });
      deploys = deployReader.poll();
      statuses = statusReader.poll();
    }

    assertThat(deploys).singleElement().isInstanceOfSatisfying(DeployRequested.class, deploy -> {
      assertThat(deploy.getApplicationId()).isEqualTo("app-1");
      assertThat(deploy.getCommit()).isEqualTo(sha);
      assertThat(deploy.getCommitMessage()).isEqualTo("add web");
      assertThat(deploy.getCompose()).isEqualTo(compose);
      assertThat(deploy.getDigest()).isEqualTo(dev.orca.schemas.ComposeDigest.sha256(compose.getBytes(StandardCharsets.UTF_8)));
      assertThat(deploy.getComposeChanged()).isTrue();
      assertThat(deploy.getSyncId()).isEqualTo("sync-1");
    });
    assertThat(statuses).extracting(s -> ((RepositoryStatusChanged) s).getStatus())
        .containsExactly(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(dataDir.resolve("git-cache/repo-1.git")).isDirectory();
    // Its meters: the streams' own (lag, rates), the git workers' and the dead letters'.
    assertThat(stream.metrics().scrape())
        .contains("orca_sync_dead_letters_total{component=\"sync-stream\"} 0.0")
        .contains("executor_completed_tasks_total{component=\"sync-stream\",name=\"sync.git.workers\"}")
        .contains("kafka_consumer_fetch_manager_records_lag_max");
  }

  @Test
  void shouldCarryTheFilesTheComposeFileReferencesAndRedeployWhenOnlyAMountedConfigChanged() throws Exception {
    server = GitServer.start();
    GitRepo repo = server.createRepository("files");
    String compose = """
        services:
          web:
            image: orca-test/busybox:1
            env_file: web.env
            volumes:
              - ./conf/app.conf:/conf/app.conf:ro
              - ./data:/data
        """;
    repo.commitFiles(Map.of("apps/web/compose.yaml", compose, "apps/web/web.env", "GREETING=hello\n",
        "apps/web/conf/app.conf", "color=blue\n", "apps/web/README.md", "not referenced\n"), "web with its files");
    startStream();
    Instant now = Instant.now();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(topics.configRepositories().record("repo-files", repository("repo-files", repo.url(), now)));
      producer.send(topics.configApplications().record("app-web", application("app-web", "repo-files",
          "apps/web/compose.yaml", now)));
      producer.send(topics.syncRequests().record("repo-files", sync("repo-files", "sync-files-1", now)));
    }

    try (TopicReader<SpecificRecord> deploys = new TopicReader<>(SharedKafka.bootstrapServers(),
        topics.deployRequests())) {
      DeployRequested first = deploys.awaitOne("app-web", DeployRequested.class, Duration.ofSeconds(60));
      assertThat(first.getCompose()).isEqualTo(compose);
      assertThat(first.getFiles()).containsOnlyKeys("web.env", "conf/app.conf");
      assertThat(text(first.getFiles().get("web.env"))).isEqualTo("GREETING=hello\n");
      assertThat(text(first.getFiles().get("conf/app.conf"))).isEqualTo("color=blue\n");

      String changed = repo.commit("apps/web/conf/app.conf", "color=green\n", "only the mounted config");
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        producer.send(topics.syncRequests().record("repo-files", sync("repo-files", "sync-files-2", Instant.now())));
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> deploys.poll("app-web", DeployRequested.class).size() == 2);
      DeployRequested second = deploys.poll("app-web", DeployRequested.class).get(1);
      assertThat(second.getCommit()).isEqualTo(changed);
      assertThat(second.getCompose()).isEqualTo(compose);
      assertThat(second.getComposeChanged()).isTrue();
      assertThat(second.getDigest()).isNotEqualTo(first.getDigest());
      assertThat(text(second.getFiles().get("conf/app.conf"))).isEqualTo("color=green\n");
    }
  }

  @Test
  void shouldRedeployTheLastSentCommitWithItsImagesPulledOnAnImageUpdate() throws Exception {
    server = GitServer.start();
    GitRepo repo = server.createRepository("images");
    String compose = "services:\n  web:\n    image: registry.example/acme/web:1\n";
    String deployed = repo.commit("compose.yaml", compose, "web at 1");
    startStream();
    Instant now = Instant.now();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(topics.configRepositories().record("repo-images", repository("repo-images", repo.url(), now)));
      producer.send(topics.configApplications().record("app-images", application("app-images", "repo-images",
          "compose.yaml", now)));
      producer.send(topics.syncRequests().record("repo-images", sync("repo-images", "sync-images-1", now)));
    }
    try (TopicReader<SpecificRecord> deploys = new TopicReader<>(SharedKafka.bootstrapServers(),
        topics.deployRequests())) {
      DeployRequested first = deploys.awaitOne("app-images", DeployRequested.class, Duration.ofSeconds(60));
      assertThat(first.getPullImages()).isFalse();
      // A commit the application was not synced to yet: new images must not bring it along.
      repo.commit("compose.yaml", "services:\n  web:\n    image: registry.example/acme/web:2\n", "web at 2");
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        producer.send(topics.syncRequests().record("repo-images", SyncRequested.newBuilder()
            .setSyncId("sync-images-2").setRepositoryId("repo-images").setTrigger(SyncTrigger.IMAGE_UPDATE)
            .setApplicationId("app-images").setDeploymentId("image-update-1").setPullImages(true)
            .setActor("webhook:image:plain").setMinRevision(2).setAt(Instant.now()).build()));
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> deploys.poll("app-images", DeployRequested.class).size() == 2);
      DeployRequested update = deploys.poll("app-images", DeployRequested.class).get(1);
      assertThat(update.getReason()).isEqualTo(dev.orca.schemas.avro.DeployReason.IMAGE_UPDATE);
      assertThat(update.getPullImages()).isTrue();
      assertThat(update.getDeploymentId()).isEqualTo("image-update-1");
      assertThat(update.getCommit()).isEqualTo(deployed);
      assertThat(update.getCompose()).isEqualTo(compose);
      assertThat(update.getDigest()).isEqualTo(first.getDigest());
      assertThat(update.getComposeChanged()).isTrue();
      assertThat(update.getActor()).isEqualTo("webhook:image:plain");
    }
  }

  @Test
  void shouldFailTheApplicationWhoseComposeFileReferencesAPathAboveItsFolder() throws Exception {
    server = GitServer.start();
    GitRepo repo = server.createRepository("escape");
    repo.commitFiles(Map.of("apps/web/compose.yaml", "services:\n  web:\n    image: orca-test/busybox:1\n"
        + "    env_file: ../shared/common.env\n", "apps/shared/common.env", "A=1\n"), "shared env file");
    startStream();
    Instant now = Instant.now();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(topics.configRepositories().record("repo-escape", repository("repo-escape", repo.url(), now)));
      producer.send(topics.configApplications().record("app-escape", application("app-escape", "repo-escape",
          "apps/web/compose.yaml", now)));
      producer.send(topics.syncRequests().record("repo-escape", sync("repo-escape", "sync-escape", now)));
    }

    try (TopicReader<SpecificRecord> status = new TopicReader<>(SharedKafka.bootstrapServers(), topics.status());
         TopicReader<SpecificRecord> deploys = new TopicReader<>(SharedKafka.bootstrapServers(),
             topics.deployRequests())) {
      ApplicationStatusChanged error = status.awaitOne("app-escape", ApplicationStatusChanged.class,
          Duration.ofSeconds(60));
      assertThat(error.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
      assertThat(error.getLastSyncError()).isEqualTo("apps/web/compose.yaml references ../shared/common.env, which "
          + "escapes the application's folder apps/web; only files below it are sent to the agent");
      await().atMost(Duration.ofSeconds(30)).until(() -> status.poll("repo-escape", RepositoryStatusChanged.class)
          .size() == 2);
      assertThat(deploys.poll("app-escape")).isEmpty();
    }
  }

  @Test
  void shouldFetchAPrivateRepositoryWithTheSecretTheGatewayEncrypted() throws Exception {
    server = GitServer.startWithBasicAuth("deployer", "s3cr3t-Passw0rd");
    GitRepo repo = server.createRepository("private-shop");
    String sha = repo.commit("compose.yaml", "services: {}\n", "private compose");
    String bootstrap = SharedKafka.bootstrapServers();
    stream = SyncStream.start(SyncStreamSettings.fromEnvironment(Map.of(
        "ORCA_KAFKA_BOOTSTRAP", bootstrap, "ORCA_TOPIC_PREFIX", topics.prefix(), "ORCA_TOPIC_PARTITIONS", "3",
        "ORCA_TOPIC_REPLICATION", "1", "ORCA_DATA_DIR", dataDir.toString(), "ORCA_ALLOW_LOCAL_GIT", "true",
        "APP_SECRET", APP_SECRET)));
    await().atMost(Duration.ofSeconds(60)).until(stream::isRunning);

    Instant now = Instant.now();
    String encrypted = new SecretBox(Keys.fromSecret(APP_SECRET)).encrypt("s3cr3t-Passw0rd");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(topics.configRepositories().record("repo-2", RepositoryConfig.newBuilder().setId("repo-2")
          .setRevision(1).setUrl(repo.url()).setProvider("generic").setAuthMethod("basic").setUsername("deployer")
          .setEncryptedSecret(encrypted).setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(now).build()));
      producer.send(topics.configApplications().record("app-2", ApplicationConfig.newBuilder().setId("app-2")
          .setRevision(2).setRepositoryId("repo-2").setAgentId("agent-1").setBranch("main")
          .setPath("compose.yaml").setUpdatedAt(now).build()));
      producer.send(topics.syncRequests().record("repo-2", SyncRequested.newBuilder().setSyncId("sync-2")
          .setRepositoryId("repo-2").setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(2)
          .setAt(now).build()));
    }

    List<SpecificRecord> deploys;
    List<SpecificRecord> statuses;
    try (TopicReader<SpecificRecord> deployReader = new TopicReader<>(bootstrap, topics.deployRequests());
         TopicReader<SpecificRecord> statusReader = new TopicReader<>(bootstrap, topics.status())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        List<SpecificRecord> seenDeploys = deployReader.poll();
        List<SpecificRecord> seenStatuses = statusReader.poll();
        return seenStatuses.size() >= 2 && (!seenDeploys.isEmpty() || seenStatuses.stream()
            .anyMatch(s -> ((RepositoryStatusChanged) s).getStatus() == RepositorySyncStatus.FAILED));
      });
      deploys = deployReader.poll();
      statuses = statusReader.poll();
    }

    assertThat(statuses).extracting(s -> ((RepositoryStatusChanged) s).getLastSyncError()).containsOnlyNulls();
    assertThat(deploys).singleElement().isInstanceOfSatisfying(DeployRequested.class,
        deploy -> assertThat(deploy.getCommit()).isEqualTo(sha));
  }

  @Test
  void shouldKeepSyncingOtherRepositoriesWhileOneRemoteHangsAndShowItSyncing() throws Exception {
    server = GitServer.start();
    GitRepo repo = server.createRepository("fast");
    String sha = repo.commit("compose.yaml", "services: {}\n", "fast compose");
    // Both repositories in one partition: the same stream task serves them.
    String hangingId = "hanging-0";
    String fastId = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "fast-" + i)
        .filter(id -> dev.orca.sync.polling.PollSchedule.partitionOf(id, 3)
            == dev.orca.sync.polling.PollSchedule.partitionOf(hangingId, 3))
        .findFirst().orElseThrow();
    String bootstrap = SharedKafka.bootstrapServers();
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      stream = SyncStream.start(new SyncStreamSettings(bootstrap, topics, dataDir.resolve("streams"),
          dataDir.resolve("git-cache"), true, Duration.ofSeconds(10), Duration.ofSeconds(10), null, 4));
      await().atMost(Duration.ofSeconds(60)).until(stream::isRunning);
      Instant now = Instant.now();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(topics.configRepositories().record(hangingId, RepositoryConfig.newBuilder().setId(hangingId)
            .setRevision(1).setUrl("http://127.0.0.1:" + silent.getLocalPort() + "/git/hanging")
            .setProvider("generic").setAuthMethod("none").setSyncType("manual").setPollingIntervalSeconds(60)
            .setUpdatedAt(now).build()));
        producer.send(topics.configRepositories().record(fastId, RepositoryConfig.newBuilder().setId(fastId)
            .setRevision(2).setUrl(repo.url()).setProvider("generic").setAuthMethod("none").setSyncType("manual")
            .setPollingIntervalSeconds(60).setUpdatedAt(now).build()));
        producer.send(topics.configApplications().record("app-hanging", ApplicationConfig.newBuilder()
            .setId("app-hanging").setRevision(3).setRepositoryId(hangingId).setAgentId("agent-1").setBranch("main")
            .setPath("compose.yaml").setUpdatedAt(now).build()));
        producer.send(topics.configApplications().record("app-fast", ApplicationConfig.newBuilder().setId("app-fast")
            .setRevision(4).setRepositoryId(fastId).setAgentId("agent-1").setBranch("main")
            .setPath("compose.yaml").setUpdatedAt(now).build()));
        producer.send(topics.syncRequests().record(hangingId, SyncRequested.newBuilder().setSyncId("sync-hanging")
            .setRepositoryId(hangingId).setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(3)
            .setAt(now).build()));
        producer.flush();
        // An unreadable record in between: it goes to the dead letters and the stream goes on.
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.syncRequests().name(),
            fastId.getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
        producer.send(topics.syncRequests().record(fastId, SyncRequested.newBuilder().setSyncId("sync-fast")
            .setRepositoryId(fastId).setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(4)
            .setAt(now).build()));
      }

      try (TopicReader<SpecificRecord> deployReader = new TopicReader<>(bootstrap, topics.deployRequests());
           TopicReader<SpecificRecord> statusReader = new TopicReader<>(bootstrap, topics.status())) {
        DeployRequested deploy = deployReader.awaitOne("app-fast", DeployRequested.class, Duration.ofSeconds(30));
        assertThat(deploy.getCommit()).isEqualTo(sha);
        // The hanging repository shows SYNCING, committed while its fetch still waits (10 s timeout).
        await().atMost(Duration.ofSeconds(5)).until(() -> !statusReader.poll(hangingId, RepositoryStatusChanged.class)
            .isEmpty());
        List<RepositoryStatusChanged> hanging = statusReader.poll(hangingId, RepositoryStatusChanged.class);
        assertThat(hanging).extracting(RepositoryStatusChanged::getStatus).containsExactly(RepositorySyncStatus.SYNCING);
        assertThat(stream.deadLetters()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(40)).until(() -> statusReader.poll(hangingId, RepositoryStatusChanged.class)
            .size() == 2);
        RepositoryStatusChanged failed = statusReader.poll(hangingId, RepositoryStatusChanged.class).get(1);
        assertThat(failed.getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
        assertThat(failed.getLastSyncError()).contains("timed out");
      }
    }
  }

  @Test
  void shouldRefuseToStartWhenAKeyedTopicHasAnotherPartitionCount() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      // Made earlier by a deployment with ORCA_TOPIC_PARTITIONS=2.
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topics.deployRequests().name(), 2,
          (short) 1))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SyncStream.start(new SyncStreamSettings(bootstrap,
            topics, dataDir.resolve("streams"), dataDir.resolve("git-cache"), true, Duration.ofSeconds(10),
            Duration.ofSeconds(10), null, 4)))
        .isInstanceOf(dev.orca.schemas.TopicAdmin.PartitionMismatchException.class)
        .hasMessage("refusing to start: " + topics.deployRequests().name() + " has 2 partitions, this deployment "
            + "needs 3. Keyed topics must be co-partitioned: set ORCA_TOPIC_PARTITIONS to the count the existing "
            + "topics have, or recreate them (their records are lost).");
  }

  private void startStream() {
    stream = SyncStream.start(new SyncStreamSettings(SharedKafka.bootstrapServers(), topics,
        dataDir.resolve("streams"), dataDir.resolve("git-cache"), true, Duration.ofSeconds(10),
        Duration.ofSeconds(10), null, 4));
    await().atMost(Duration.ofSeconds(60)).until(stream::isRunning);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static RepositoryConfig repository(String id, String url, Instant now) {
    return RepositoryConfig.newBuilder().setId(id).setRevision(1).setUrl(url).setProvider("generic")
        .setAuthMethod("none").setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(now).build();
  }

  private static ApplicationConfig application(String id, String repositoryId, String path, Instant now) {
    return ApplicationConfig.newBuilder().setId(id).setRevision(2).setRepositoryId(repositoryId)
        .setAgentId("agent-1").setBranch("main").setPath(path).setUpdatedAt(now).build();
  }

  private static SyncRequested sync(String repositoryId, String syncId, Instant now) {
    return SyncRequested.newBuilder().setSyncId(syncId).setRepositoryId(repositoryId).setTrigger(SyncTrigger.MANUAL)
        .setActor("user-1").setMinRevision(2).setAt(now).build();
  }

  private static String text(java.nio.ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
  }
}
