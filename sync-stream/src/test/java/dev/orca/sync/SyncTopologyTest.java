package dev.orca.sync;

import dev.orca.testsupport.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.DeadLetterHeaders;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.config.ConfigIndex;
import dev.orca.sync.detect.LastSent;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.git.Commit;
import dev.orca.sync.git.RepositorySecrets;
import dev.orca.sync.polling.PollSchedule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncTopologyTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration REVISION_WAIT = Duration.ofSeconds(10);
  private static final String REPO = "repo-1";
  private static final String APP_SECRET = "topology-test-app-secret-0123456789abcdef";

  private final Topics topics = new Topics("test.", 3, (short) 1);
  private final FakeCommitSource git = new FakeCommitSource();
  private final MutableClock clock = new MutableClock(START);
  private final List<String> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ConfigIndex index = new ConfigIndex(topics.partitions(), forgotten::add);
  private final DeadLetterCount deadLetterCount = new DeadLetterCount();
  /** Git work waiting for {@link #runGitWork}, while {@link #inline} is false. */
  private final java.util.ArrayDeque<Runnable> gitWork = new java.util.ArrayDeque<>();
  private boolean inline = true;

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, RepositoryConfig> repositories;
  private TestInputTopic<String, ApplicationConfig> applications;
  private TestInputTopic<String, SyncRequested> syncRequests;
  private TestOutputTopic<String, SpecificRecord> deployRequests;
  private TestOutputTopic<String, SpecificRecord> status;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    // Git work runs inline here, so each sync finishes in the same process() or punctuation that starts it.
    driver = new TopologyTestDriver(SyncTopology.build(topics, new SyncTopology.Parts(git,
            RepositorySecrets.of(APP_SECRET), clock, REVISION_WAIT, work -> {
              if (inline) {
                work.run();
              } else {
                gitWork.add(work);
              }
            }, index, deadLetterCount)),
        SyncStream.streamsProperties("sync-stream-test", "dummy:9092", stateDir), START);
    repositories = input(topics.configRepositories());
    applications = input(topics.configApplications());
    syncRequests = input(topics.syncRequests());
    deployRequests = driver.createOutputTopic(topics.deployRequests().name(),
        topics.deployRequests().keys().deserializer(), topics.deployRequests().values().deserializer());
    status = driver.createOutputTopic(topics.status().name(),
        topics.status().keys().deserializer(), topics.status().values().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters().name(),
        topics.deadLetters().keys().deserializer(), topics.deadLetters().values().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldEmitDeployRequestedWhenComposeChanged() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit first = git.commit("main", "compose.yaml", "services: {a: {image: x:1}}\n", "first\n\nbody");

    SyncRequested request = request(REPO).setActor("user-1").build();
    syncRequests.pipeInput(REPO, request);

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getCommit()).isEqualTo(first.sha());
    assertThat(deploy.getCommitMessage()).isEqualTo("first");
    assertThat(deploy.getCompose()).isEqualTo("services: {a: {image: x:1}}\n");
    assertThat(deploy.getDigest()).isEqualTo(dev.orca.schemas.ComposeDigest.sha256("services: {a: {image: x:1}}\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(deploy.getComposeChanged()).isTrue();
    assertThat(deploy.getReason()).isEqualTo(DeployReason.SYNC);
    assertThat(deploy.getDeploymentId()).isNull();
    assertThat(deploy.getAgentId()).isEqualTo("agent-1");
    assertThat(deploy.getSyncId()).isEqualTo(request.getSyncId());
    assertThat(deploy.getActor()).isEqualTo("user-1");
    assertThat(deploy.getAt()).isEqualTo(START);
    assertThat(deploy.getCommitsBehind()).isNull();

    Commit second = git.commit("main", "compose.yaml", "services: {a: {image: x:2}}\n", "second");
    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested changed = singleDeploy("app-1");
    assertThat(changed.getCommit()).isEqualTo(second.sha());
    assertThat(changed.getComposeChanged()).isTrue();
    assertOutputsEmpty();
  }

  @Test
  void shouldSayHowFarThePinnedCommitIsBehindTheBranch() {
    repository(REPO, 1, "manual");
    Commit pinned = git.commit("main", "compose.yaml", "services: {a: {image: x:1}}\n", "first");
    git.commit("main", "compose.yaml", "services: {a: {image: x:2}}\n", "second");
    Commit head = git.commit("main", "README.md", "docs\n", "third");
    applications.pipeInput("app-1", ApplicationConfig.newBuilder().setId("app-1").setRevision(2)
        .setRepositoryId(REPO).setAgentId("agent-1").setBranch("main").setPath("compose.yaml")
        .setPinnedCommit(pinned.sha()).setUpdatedAt(START).build());

    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getCommit()).isEqualTo(head.sha());
    assertThat(deploy.getCommitsBehind()).isEqualTo(2);
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkComposeUnchangedAtNewCommit() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");

    Commit docs = git.commit("main", "README.md", "docs only\n", "docs");
    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getCommit()).isEqualTo(docs.sha());
    assertThat(deploy.getCommitMessage()).isEqualTo("docs");
    assertThat(deploy.getComposeChanged()).isFalse();
    assertOutputsEmpty();
  }

  @Test
  void shouldEmitNothingForACommitAlreadySeen() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");

    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertOutputsEmpty();
  }

  @Test
  void shouldDeployAtOnceOnManualDeployEvenWhenUnchanged() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    application("app-2", REPO, "main", "other.yaml", 3);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    Commit head = git.commit("main", "other.yaml", "services: {}\n", "other");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(deployRequests.readKeyValuesToList()).hasSize(2);

    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.MANUAL).setApplicationId("app-1")
        .setDeploymentId("deployment-7").build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getReason()).isEqualTo(DeployReason.MANUAL);
    assertThat(deploy.getDeploymentId()).isEqualTo("deployment-7");
    assertThat(deploy.getComposeChanged()).isTrue();
    assertThat(deploy.getCommit()).isEqualTo(head.sha());
    assertOutputsEmpty();
  }

  @Test
  void shouldSkipApplicationsWithEmptyBranch() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    application("app-unbranched", REPO, "", "compose.yaml", 3);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.WEBHOOK).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkRepositoryFailedWhenCommitResolutionFails() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "release", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).build());

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertThat(((RepositoryStatusChanged) events.get(0).value).getStatus()).isEqualTo(RepositorySyncStatus.SYNCING);
    // The application says why it did not sync, not only the repository.
    ApplicationStatusChanged application = (ApplicationStatusChanged) events.get(1).value;
    assertThat(application.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(application.getUpdateLastSyncError()).isTrue();
    assertThat(application.getLastSyncError()).isEqualTo("branch release not found");
    RepositoryStatusChanged failed = (RepositoryStatusChanged) events.get(2).value;
    assertThat(failed.getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertThat(failed.getLastSyncError()).isEqualTo("branch release not found");
    assertThat(failed.getLastSyncedAt()).isNull();
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkRepositoryFailedWhenFetchFails() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.failFetches("cannot fetch http://git.example/repo: connection refused");

    syncRequests.pipeInput(REPO, request(REPO).build());

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertThat(statuses.get(1).getLastSyncError()).isEqualTo("cannot fetch http://git.example/repo: connection refused");
    assertOutputsEmpty();
  }

  @Test
  void shouldResolveOneCommitPerBranch() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "a.yaml", 2);
    application("app-2", REPO, "main", "b.yaml", 3);
    application("app-3", REPO, "dev", "c.yaml", 4);
    git.commit("main", "a.yaml", "a\n", "a");
    Commit main = git.commit("main", "b.yaml", "b\n", "b");
    Commit dev = git.commit("dev", "c.yaml", "c\n", "c");

    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    List<KeyValue<String, SpecificRecord>> deploys = deployRequests.readKeyValuesToList();
    assertThat(deploys).extracting(kv -> kv.key).containsExactlyInAnyOrder("app-1", "app-2", "app-3");
    assertThat(deploys).extracting(kv -> ((DeployRequested) kv.value).getCommit())
        .containsExactlyInAnyOrder(main.sha(), main.sha(), dev.sha());
    assertThat(git.fetches).isEqualTo(1);
    assertThat(git.branchResolutions).isEqualTo(2);
    assertOutputsEmpty();
  }

  @Test
  void shouldUseTheStaticCommitOfTheRequestForItsBranch() {
    repository(REPO, 1, "webhook");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit pushed = git.commit("main", "compose.yaml", "v1\n", "pushed");
    git.commit("main", "compose.yaml", "v2\n", "later");

    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.WEBHOOK).setBranch("main")
        .setCommit(pushed.sha()).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getCommit()).isEqualTo(pushed.sha());
    assertThat(deploy.getCompose()).isEqualTo("v1\n");
    // The head is read once, only to check that the pushed commit is on the branch.
    assertThat(git.branchResolutions).isEqualTo(1);
    assertOutputsEmpty();
  }

  @Test
  void shouldNeverRollBackForAnOutOfOrderOrReplayedWebhook() {
    repository(REPO, 1, "webhook");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit older = git.commit("main", "compose.yaml", "v1\n", "older");
    Commit newer = git.commit("main", "compose.yaml", "v2\n", "newer");
    syncRequests.pipeInput(REPO, webhook("main", newer.sha()));
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(newer.sha());

    // The webhook of the older push arrives late.
    syncRequests.pipeInput(REPO, webhook("main", older.sha()));

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(statuses.get(1).getNote()).isEqualTo("commit " + older.sha().substring(0, 12) + " is older than "
        + newer.sha().substring(0, 12) + " of application app-1, not deployed");
    assertOutputsEmpty();

    // A newer commit after that deploys as usual, and the note is gone.
    Commit newest = git.commit("main", "compose.yaml", "v3\n", "newest");
    syncRequests.pipeInput(REPO, webhook("main", newest.sha()));
    assertThat(repositoryStatuses(2).get(1).getNote()).isNull();
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(newest.sha());
  }

  @Test
  void shouldDeployAStaticCommitOnlyFromItsOwnBranch() {
    repository(REPO, 1, "webhook");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "v1\n", "main");
    Commit elsewhere = git.commit("feature", "compose.yaml", "evil\n", "not on main");

    syncRequests.pipeInput(REPO, webhook("main", elsewhere.sha()));

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(statuses.get(1).getNote())
        .isEqualTo("commit " + elsewhere.sha().substring(0, 12) + " is not on branch main, not deployed");
    assertOutputsEmpty();
  }

  @Test
  void shouldDeployAStaticCommitOlderThanTheBranchHeadButNewerThanTheApplications() {
    repository(REPO, 1, "webhook");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit first = git.commit("main", "compose.yaml", "v1\n", "first");
    syncRequests.pipeInput(REPO, webhook("main", first.sha()));
    repositoryStatuses(2);
    singleDeploy("app-1");
    Commit second = git.commit("main", "compose.yaml", "v2\n", "second");
    git.commit("main", "compose.yaml", "v3\n", "third");

    syncRequests.pipeInput(REPO, webhook("main", second.sha()));

    assertThat(repositoryStatuses(2).get(1).getNote()).isNull();
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(second.sha());
  }

  @Test
  void shouldCarryTheTriggerOnEveryRepositoryStatusOfTheSync() {
    repository(REPO, 1, "webhook");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit pushed = git.commit("main", "compose.yaml", "v1\n", "pushed");
    SyncRequested request = webhook("main", pushed.sha());
    syncRequests.pipeInput(REPO, request);

    assertThat(repositoryStatuses(2)).allSatisfy(status -> {
      assertThat(status.getTrigger()).isEqualTo(SyncTrigger.WEBHOOK);
      assertThat(status.getActor()).isEqualTo("webhook:github");
      assertThat(status.getTriggeredAt()).isEqualTo(request.getAt());
    });
  }

  private static SyncRequested webhook(String branch, String commit) {
    return request(REPO).setTrigger(SyncTrigger.WEBHOOK).setActor("webhook:github").setBranch(branch)
        .setCommit(commit).build();
  }

  @Test
  void shouldHoldRequestUntilConfigRevisionArrives() {
    repository(REPO, 1, "manual");
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).setApplicationId("app-1").setMinRevision(2).build());
    advance(Duration.ofMillis(400));
    assertOutputsEmpty();

    application("app-1", REPO, "main", "compose.yaml", 2);
    advance(Duration.ofMillis(200));

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");
    advance(Duration.ofSeconds(1));
    assertOutputsEmpty();
  }

  @Test
  void shouldProceedWithWhatItHasOnceTheRevisionWaitIsOver() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).setMinRevision(99).build());
    advance(REVISION_WAIT.minusMillis(200));
    assertOutputsEmpty();
    advance(Duration.ofMillis(200));

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");
    assertOutputsEmpty();
  }

  @Test
  void shouldDropRequestForUnknownRepositoryAfterTheRevisionWait() {
    syncRequests.pipeInput("nowhere", request("nowhere").build());
    advance(REVISION_WAIT);
    advance(Duration.ofSeconds(1));

    assertThat(git.fetches).isZero();
    assertOutputsEmpty();
  }

  @Test
  void shouldPollRepositoriesOnTheirInterval() {
    // The driver runs the task of partition 0: only repositories whose id maps there are polled by it.
    String polled = idInPartition(true);
    String elsewhere = idInPartition(false);
    repository(polled, 1, "polling");
    repository(elsewhere, 2, "polling");
    application("app-1", polled, "main", "compose.yaml", 3);
    application("app-2", elsewhere, "main", "compose.yaml", 4);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    advance(Duration.ofSeconds(1));

    List<KeyValue<String, SpecificRecord>> first = status.readKeyValuesToList();
    assertThat(first).extracting(kv -> kv.key).containsExactly(polled, polled);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getActor()).isEqualTo("poller");
    assertThat(deploy.getReason()).isEqualTo(DeployReason.SYNC);

    advance(Duration.ofSeconds(1));
    assertOutputsEmpty();

    advance(Duration.ofSeconds(29));
    assertThat(status.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(polled, polled);
    assertThat(git.fetches).isEqualTo(2);
    assertOutputsEmpty();
  }

  @Test
  void shouldRedeployWhenOnlyAFileTheComposeFileMountsChanged() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "apps/shop/compose.yaml", 2);
    String compose = "services:\n  web:\n    image: x:1\n    env_file: web.env\n    volumes:\n"
        + "      - ./conf/app.conf:/etc/app.conf:ro\n";
    git.commit("main", "apps/shop/web.env", "GREETING=hello\n", "env");
    git.commit("main", "apps/shop/conf/app.conf", "v=1\n", "conf");
    git.commit("main", "apps/shop/compose.yaml", compose, "compose");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested first = singleDeploy("app-1");
    assertThat(first.getFiles()).containsOnlyKeys("web.env", "conf/app.conf");
    assertThat(StandardCharsets.UTF_8.decode(first.getFiles().get("conf/app.conf")).toString()).isEqualTo("v=1\n");
    assertThat(first.getDigest()).isNotEqualTo(dev.orca.schemas.ComposeDigest.sha256(
        compose.getBytes(StandardCharsets.UTF_8)));

    Commit config = git.commit("main", "apps/shop/conf/app.conf", "v=2\n", "only the mounted config");
    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested second = singleDeploy("app-1");
    assertThat(second.getCommit()).isEqualTo(config.sha());
    assertThat(second.getComposeChanged()).isTrue();
    assertThat(second.getDigest()).isNotEqualTo(first.getDigest());
    assertOutputsEmpty();
  }

  @Test
  void shouldFailOnlyTheApplicationWhoseComposeFileReferencesAPathAboveItsFolder() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "apps/shop/compose.yaml", 2);
    application("app-2", REPO, "main", "apps/other/compose.yaml", 3);
    git.commit("main", "apps/shop/compose.yaml", "services:\n  web:\n    env_file: ../shared/common.env\n", "shop");
    git.commit("main", "apps/other/compose.yaml", "services: {}\n", "other");

    syncRequests.pipeInput(REPO, request(REPO).build());

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertThat(((ApplicationStatusChanged) events.get(1).value).getLastSyncError()).isEqualTo(
        "apps/shop/compose.yaml references ../shared/common.env, which escapes the application's folder apps/shop;"
            + " only files below it are sent to the agent");
    assertThat(((RepositoryStatusChanged) events.get(2).value).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-2").getFiles()).isEmpty();
    assertOutputsEmpty();
  }

  @Test
  void shouldReportMissingComposeFileOnTheApplication() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "deploy/compose.yaml", 2);
    Commit commit = git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).build());

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    ApplicationStatusChanged error = (ApplicationStatusChanged) events.get(1).value;
    assertThat(error.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(error.getUpdateLastSyncError()).isTrue();
    assertThat(error.getLastSyncError()).isEqualTo("compose file deploy/compose.yaml not found at " + commit.sha());
    assertThat(((RepositoryStatusChanged) events.get(2).value).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);

    Commit fixed = git.commit("main", "deploy/compose.yaml", "services: {}\n", "add compose");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(fixed.sha());
    assertOutputsEmpty();
  }

  @Test
  void shouldSkipPoisonRecords() {
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    driver.createInputTopic(topics.configApplications().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput("app-0", garbage);
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    driver.createInputTopic(topics.syncRequests().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput(REPO, garbage);
    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");
    assertOutputsEmpty();
  }

  @Test
  void shouldSendAnUnreadableSyncRequestToTheDeadLettersWithWhereItCameFrom() {
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    driver.createInputTopic(topics.syncRequests().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput(REPO, garbage);

    List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).singleElement().satisfies(letter -> {
      assertThat(letter.key()).isEqualTo(REPO.getBytes(StandardCharsets.UTF_8));
      assertThat(letter.value()).isEqualTo(garbage);
      assertThat(header(letter, DeadLetterHeaders.TOPIC)).isEqualTo(topics.syncRequests().name());
      assertThat(header(letter, DeadLetterHeaders.PARTITION)).isEqualTo("0");
      assertThat(header(letter, DeadLetterHeaders.OFFSET)).isEqualTo("0");
      assertThat(header(letter, DeadLetterHeaders.COMPONENT)).isEqualTo("sync-stream");
      assertThat(header(letter, DeadLetterHeaders.EXCEPTION)).isNotBlank();
    });
    assertThat(deadLetterCount.get()).isEqualTo(1);
    assertOutputsEmpty();
  }

  @Test
  void shouldFailTheRepositoryAndKeepGoingWhenASyncFailsUnexpectedly() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit commit = git.commit("main", "compose.yaml", "services: {}\n", "compose");
    git.unexpected = new IllegalStateException("a bug");

    SyncRequested failing = request(REPO).build();
    syncRequests.pipeInput(REPO, failing);

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertThat(statuses.get(1).getLastSyncError()).contains("internal error").doesNotContain("a bug");
    assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(letter -> {
      assertThat(topics.syncRequests().value(letter.value()).getSyncId()).isEqualTo(failing.getSyncId());
      assertThat(header(letter, DeadLetterHeaders.MESSAGE)).isEqualTo("a bug");
    });
    assertThat(deadLetterCount.get()).isEqualTo(1);

    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(commit.sha());
  }

  @Test
  void shouldShowSyncingWhileTheFetchRunsAndNotWaitForASlowRepository() {
    String other = "repo-2";
    repository(REPO, 1, "manual");
    repository(other, 2, "manual");
    application("app-1", REPO, "main", "compose.yaml", 3);
    application("app-2", other, "main", "compose.yaml", 4);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    inline = false;

    syncRequests.pipeInput(REPO, request(REPO).build());
    // The fetch has not run yet: SYNCING is out, nothing else.
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING);
    assertThat(git.fetches).isZero();

    syncRequests.pipeInput(other, request(other).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING);
    // The second repository's git work finishes first; its sync completes while the first still waits.
    gitWork.removeLast().run();
    advance(SyncProcessor.DRAIN_INTERVAL);
    assertThat(status.readKeyValuesToList()).extracting(kv -> kv.key, kv -> ((RepositoryStatusChanged) kv.value).getStatus())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(other, RepositorySyncStatus.SUCCESS));
    assertThat(singleDeploy("app-2")).isNotNull();

    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);
    assertThat(repositoryStatuses(1).get(0).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-1")).isNotNull();
    assertThat(gitWork).isEmpty();
  }

  @Test
  void shouldRunOneSyncPerRepositoryAtATimeInArrivalOrderAndFoldPollsIntoIt() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit first = git.commit("main", "compose.yaml", "services: {a: {}}\n", "first");
    inline = false;

    syncRequests.pipeInput(REPO, request(REPO).build());
    SyncRequested webhook = webhook("main", first.sha());
    syncRequests.pipeInput(REPO, webhook);
    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.POLLING).setActor("poller").build());
    assertThat(gitWork).hasSize(1);
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING);

    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);
    // The first finishes; the webhook queued behind it starts (SYNCING); the poll was folded into them.
    assertThat(repositoryStatuses(2)).extracting(RepositoryStatusChanged::getStatus)
        .containsExactly(RepositorySyncStatus.SUCCESS, RepositorySyncStatus.SYNCING);
    assertThat(singleDeploy("app-1").getCommit()).isEqualTo(first.sha());
    assertThat(gitWork).hasSize(1);

    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);
    RepositoryStatusChanged done = repositoryStatuses(1).get(0);
    assertThat(done.getSyncId()).isEqualTo(webhook.getSyncId());
    assertThat(done.getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(gitWork).isEmpty();
    assertThat(git.fetches).isEqualTo(2);
    assertOutputsEmpty();
  }

  @Test
  void shouldNotDeployFromASyncAnApplicationThatMovedToAnotherRepositoryMeanwhile() {
    repository(REPO, 1, "manual");
    repository("repo-2", 2, "manual");
    application("app-1", REPO, "main", "compose.yaml", 3);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    inline = false;
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING);

    application("app-1", "repo-2", "main", "compose.yaml", 4);
    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);

    assertThat(repositoryStatuses(1).get(0).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(deployRequests.isEmpty()).as("no DeployRequested from the old repository's sync").isTrue();
    KeyValueStore<String, LastSent> lastSent = driver.getKeyValueStore(SyncTopology.LAST_SENT);
    assertThat(lastSent.get("app-1")).isNull();
  }

  @Test
  void shouldQueueAPollBehindASyncOfOneCommitButFoldItIntoASyncOfEverything() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit commit = git.commit("main", "compose.yaml", "services: {}\n", "compose");
    inline = false;
    SyncRequested poll = request(REPO).setTrigger(SyncTrigger.POLLING).setActor("poller").build();

    syncRequests.pipeInput(REPO, webhook("main", commit.sha()));
    syncRequests.pipeInput(REPO, poll);
    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.POLLING).setActor("poller").build());
    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);
    gitWork.removeFirst().run();
    advance(SyncProcessor.DRAIN_INTERVAL);

    // The webhook's sync, then the first poll (a sync of everything); the second poll was folded into it.
    List<RepositoryStatusChanged> statuses = repositoryStatuses(4);
    assertThat(statuses).extracting(RepositoryStatusChanged::getTrigger)
        .containsExactly(SyncTrigger.WEBHOOK, SyncTrigger.WEBHOOK, SyncTrigger.POLLING, SyncTrigger.POLLING);
    assertThat(statuses.get(3).getSyncId()).isEqualTo(poll.getSyncId());
    assertThat(gitWork).isEmpty();
  }

  @Test
  void shouldForgetTheStateOfDeletedApplicationsAndRepositories() {
    String polled = idInPartition(true);
    repository(polled, 1, "polling");
    application("app-1", polled, "main", "compose.yaml", 2);
    application("app-2", polled, "main", "compose.yaml", 3);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    advance(Duration.ofSeconds(1));
    KeyValueStore<String, LastSent> lastSent = driver.getKeyValueStore(SyncTopology.LAST_SENT);
    KeyValueStore<String, Long> lastPolls = driver.getKeyValueStore(SyncTopology.LAST_POLLS);
    assertThat(lastSent.get("app-1")).isNotNull();
    assertThat(lastSent.get("app-2")).isNotNull();
    assertThat(lastPolls.get(polled)).isNotNull();
    assertThat(index.applicationIdsOf(polled)).containsExactlyInAnyOrder("app-1", "app-2");

    applications.pipeInput("app-1", null);
    advance(Duration.ofSeconds(1));
    assertThat(lastSent.get("app-1")).isNull();
    assertThat(lastSent.get("app-2")).isNotNull();
    assertThat(index.applicationIdsOf(polled)).containsExactly("app-2");

    repositories.pipeInput(polled, null);
    advance(Duration.ofSeconds(1));
    assertThat(lastPolls.get(polled)).isNull();
    assertThat(forgotten).containsExactly(polled);
  }

  @Test
  void shouldFollowAPollingIntervalChangeAndStopPollingARepositorySwitchedToManual() {
    String polled = idInPartition(true);
    repository(polled, 1, "polling");
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    application("app-1", polled, "main", "compose.yaml", 2);
    advance(Duration.ofSeconds(1));
    assertThat(git.fetches).isEqualTo(1);

    repositories.pipeInput(polled, RepositoryConfig.newBuilder(repositoryConfig(polled, 3, "polling"))
        .setPollingIntervalSeconds(5).build());
    advance(Duration.ofSeconds(5));
    assertThat(git.fetches).isEqualTo(2);

    repositories.pipeInput(polled, repositoryConfig(polled, 4, "manual"));
    advance(Duration.ofSeconds(30));
    assertThat(git.fetches).isEqualTo(2);
  }

  @Test
  void shouldDeployAtTheSameCommitWhenConfigurationChangesAgentOrPath() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "agent-1", "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");
    Commit head = git.commit("main", "copy.yaml", "services: {}\n", "same compose elsewhere");
    syncRequests.pipeInput(REPO, request(REPO).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");

    application("app-1", REPO, "agent-2", "main", "compose.yaml", 3);
    syncRequests.pipeInput(REPO, configurationChange("app-1", 3));
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested moved = singleDeploy("app-1");
    assertThat(moved.getCommit()).isEqualTo(head.sha());
    assertThat(moved.getAgentId()).isEqualTo("agent-2");
    assertThat(moved.getComposeChanged()).isTrue();
    assertThat(moved.getReason()).isEqualTo(DeployReason.SYNC);
    assertThat(moved.getDeploymentId()).isNull();

    // Same bytes at another path: the digest is equal, the file the agent reads is not.
    application("app-1", REPO, "agent-2", "main", "copy.yaml", 4);
    syncRequests.pipeInput(REPO, configurationChange("app-1", 4));
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested repathed = singleDeploy("app-1");
    assertThat(repathed.getCommit()).isEqualTo(head.sha());
    assertThat(repathed.getComposeChanged()).isTrue();

    syncRequests.pipeInput(REPO, configurationChange("app-1", 4));
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(singleDeploy("app-1").getComposeChanged()).isFalse();

    // Scheduled syncs stay edge-triggered by commit.
    syncRequests.pipeInput(REPO, request(REPO).setTrigger(SyncTrigger.POLLING).build());
    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertOutputsEmpty();
  }

  @Test
  void shouldCountALastSentEntryWithoutAgentAndPathAsChanged() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    Commit head = git.commit("main", "compose.yaml", "services: {}\n", "compose");
    String digest = dev.orca.schemas.ComposeDigest.sha256("services: {}\n".getBytes(StandardCharsets.UTF_8));
    KeyValueStore<String, LastSent> lastSent = driver.getKeyValueStore(SyncTopology.LAST_SENT);
    lastSent.put("app-1", new LastSent("0".repeat(40), digest, null, null));

    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    DeployRequested deploy = singleDeploy("app-1");
    assertThat(deploy.getCommit()).isEqualTo(head.sha());
    assertThat(deploy.getComposeChanged()).isTrue();
    assertThat(lastSent.get("app-1")).isEqualTo(new LastSent(head.sha(), digest, "agent-1", "compose.yaml"));
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkManualDeployNotStartedWhenItsBranchDoesNotResolve() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "release", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, manualDeploy("app-1", "deployment-9"));

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertNotStarted(events.get(1).value, "branch release not found (deployment deployment-9 not started)");
    assertThat(((RepositoryStatusChanged) events.get(2).value).getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkManualDeployNotStartedWhenTheFetchFails() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.failFetches("cannot fetch https://git.example/repo-1.git: connection refused");

    syncRequests.pipeInput(REPO, manualDeploy("app-1", "deployment-9"));

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertNotStarted(events.get(1).value, "cannot fetch https://git.example/repo-1.git: connection refused"
        + " (deployment deployment-9 not started)");
    assertThat(((RepositoryStatusChanged) events.get(2).value).getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkManualDeployNotStartedWhenItsApplicationHasNoBranch() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, manualDeploy("app-1", "deployment-9"));

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertNotStarted(events.get(1).value, "application app-1 has no branch (deployment deployment-9 not started)");
    assertThat(((RepositoryStatusChanged) events.get(2).value).getStatus()).isEqualTo(RepositorySyncStatus.SUCCESS);
    assertThat(git.fetches).isZero();
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkManualDeployNotStartedWhenItsConfigurationIsNotVisible() {
    repository(REPO, 1, "manual");
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, manualDeploy("app-1", "deployment-9"));
    advance(REVISION_WAIT);

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertNotStarted(events.get(1).value,
        "application app-1 is not configured in repository repo-1 (deployment deployment-9 not started)");
    assertOutputsEmpty();
  }

  @Test
  void shouldMarkManualDeployNotStartedWhenItsComposeFileIsMissing() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "deploy/compose.yaml", 2);
    Commit commit = git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, manualDeploy("app-1", "deployment-9"));

    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(REPO, "app-1", REPO);
    assertNotStarted(events.get(1).value, "compose file deploy/compose.yaml not found at " + commit.sha()
        + " (deployment deployment-9 not started)");
    assertOutputsEmpty();
  }

  @Test
  void shouldWaitForTheNamedApplicationsOwnRevision() {
    repository(REPO, 1, "manual");
    application("app-2", REPO, "main", "other.yaml", 5);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    // app-2's newer revision arrived first; app-1's (4) has not yet.
    syncRequests.pipeInput(REPO, configurationChange("app-1", 4));
    advance(Duration.ofMillis(400));
    assertOutputsEmpty();

    application("app-1", REPO, "main", "compose.yaml", 4);
    advance(Duration.ofMillis(200));

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    singleDeploy("app-1");
    advance(Duration.ofSeconds(1));
    assertOutputsEmpty();
  }

  @Test
  void shouldKeepCredentialsOfRepositoryUrlsOutOfErrorsAndLogs() {
    repository(REPO, 1, "manual");
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.failFetches("cannot fetch https://ghp_s3cr3t@git.example/repo-1.git: not authorized");
    PrintStream stderr = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
      syncRequests.pipeInput(REPO, request(REPO).build());
    } finally {
      System.setErr(stderr);
    }

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getLastSyncError())
        .isEqualTo("cannot fetch https://***@git.example/repo-1.git: not authorized");
    assertThat(logs.toString(StandardCharsets.UTF_8)).contains("https://***@git.example/repo-1.git")
        .doesNotContain("s3cr3t");
    assertOutputsEmpty();
  }

  @Test
  void shouldFetchWithTheDecryptedSecretOfTheRepository() {
    privateRepository(new SecretBox(Keys.fromSecret(APP_SECRET)).encrypt("ghp_t0ken"));
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).build());

    assertRepositoryStatuses(RepositorySyncStatus.SYNCING, RepositorySyncStatus.SUCCESS);
    assertThat(git.lastRemote.authMethod()).isEqualTo("token");
    assertThat(git.lastRemote.username()).isEqualTo("ci-bot");
    assertThat(git.lastRemote.secret()).isEqualTo("ghp_t0ken");
    assertThat(singleDeploy("app-1").getApplicationId()).isEqualTo("app-1");
  }

  @Test
  void shouldMarkRepositoryFailedWhenItsSecretDoesNotDecrypt() {
    privateRepository(new SecretBox(Keys.fromSecret(APP_SECRET + "-of-another-install")).encrypt("ghp_t0ken"));
    application("app-1", REPO, "main", "compose.yaml", 2);
    git.commit("main", "compose.yaml", "services: {}\n", "compose");

    syncRequests.pipeInput(REPO, request(REPO).build());

    List<RepositoryStatusChanged> statuses = repositoryStatuses(2);
    assertThat(statuses.get(1).getStatus()).isEqualTo(RepositorySyncStatus.FAILED);
    assertThat(statuses.get(1).getLastSyncError()).isEqualTo("the secret of repository " + REPO
        + " cannot be decrypted: stored value was sealed with a key neither APP_SECRET nor ORCA_APP_SECRET_PREVIOUS holds");
    assertThat(git.fetches).isZero();
    assertOutputsEmpty();
  }

  private void privateRepository(String encryptedSecret) {
    repositories.pipeInput(REPO, RepositoryConfig.newBuilder().setId(REPO).setRevision(1)
        .setUrl("https://git.example/" + REPO + ".git").setProvider("github").setAuthMethod("token")
        .setUsername("ci-bot").setEncryptedSecret(encryptedSecret)
        .setSyncType("manual").setPollingIntervalSeconds(30).setUpdatedAt(START).build());
  }

  private <V> TestInputTopic<String, V> input(dev.orca.schemas.Topic<String, V> topic) {
    return driver.createInputTopic(topic.name(), topic.keys().serializer(), topic.values().serializer());
  }

  private void advance(Duration duration) {
    clock.advance(duration);
    driver.advanceWallClockTime(duration);
  }

  private void repository(String id, long revision, String syncType) {
    repositories.pipeInput(id, repositoryConfig(id, revision, syncType));
  }

  private static RepositoryConfig repositoryConfig(String id, long revision, String syncType) {
    return RepositoryConfig.newBuilder().setId(id).setRevision(revision)
        .setUrl("https://git.example/" + id + ".git").setProvider("generic").setAuthMethod("none")
        .setSyncType(syncType).setPollingIntervalSeconds(30).setUpdatedAt(START).build();
  }

  private static String header(org.apache.kafka.streams.test.TestRecord<byte[], byte[]> record, String name) {
    return DeadLetterHeaders.text(record.headers(), name);
  }

  private void application(String id, String repositoryId, String branch, String path, long revision) {
    application(id, repositoryId, "agent-1", branch, path, revision);
  }

  private void application(String id, String repositoryId, String agentId, String branch, String path, long revision) {
    applications.pipeInput(id, ApplicationConfig.newBuilder().setId(id).setRevision(revision)
        .setRepositoryId(repositoryId).setAgentId(agentId).setBranch(branch).setPath(path)
        .setUpdatedAt(START).build());
  }

  /** What the gateway publishes when an application's agent, path, branch or repository changes. */
  private static SyncRequested configurationChange(String applicationId, long revision) {
    return request(REPO).setTrigger(SyncTrigger.CONFIGURATION).setApplicationId(applicationId)
        .setMinRevision(revision).build();
  }

  private static SyncRequested manualDeploy(String applicationId, String deploymentId) {
    return request(REPO).setTrigger(SyncTrigger.MANUAL).setApplicationId(applicationId)
        .setDeploymentId(deploymentId).build();
  }

  private static void assertNotStarted(SpecificRecord event, String error) {
    assertThat(event).isInstanceOf(ApplicationStatusChanged.class);
    ApplicationStatusChanged changed = (ApplicationStatusChanged) event;
    assertThat(changed.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(changed.getUpdateLastSyncError()).isTrue();
    assertThat(changed.getLastSyncError()).isEqualTo(error);
  }

  private static SyncRequested.Builder request(String repositoryId) {
    return SyncRequested.newBuilder().setSyncId(UUID.randomUUID().toString()).setRepositoryId(repositoryId)
        .setTrigger(SyncTrigger.MANUAL).setActor("user-1").setMinRevision(0).setAt(START);
  }

  private String idInPartition(boolean partitionZero) {
    return IntStream.range(0, 1000).mapToObj(i -> "repo-" + i)
        .filter(id -> (PollSchedule.partitionOf(id, topics.partitions()) == 0) == partitionZero)
        .findFirst().orElseThrow();
  }

  private List<RepositoryStatusChanged> repositoryStatuses(int expected) {
    List<KeyValue<String, SpecificRecord>> events = status.readKeyValuesToList();
    assertThat(events).hasSize(expected).allSatisfy(kv -> assertThat(kv.value).isInstanceOf(RepositoryStatusChanged.class));
    return events.stream().map(kv -> (RepositoryStatusChanged) kv.value).toList();
  }

  private void assertRepositoryStatuses(RepositorySyncStatus... expected) {
    List<RepositoryStatusChanged> statuses = repositoryStatuses(expected.length);
    assertThat(statuses).extracting(RepositoryStatusChanged::getStatus).containsExactly(expected);
    RepositoryStatusChanged last = statuses.get(statuses.size() - 1);
    if (last.getStatus() == RepositorySyncStatus.SUCCESS) {
      assertThat(last.getLastSyncError()).isNull();
      assertThat(last.getLastSyncedAt()).isEqualTo(clock.instant());
    }
  }

  private DeployRequested singleDeploy(String applicationId) {
    List<KeyValue<String, SpecificRecord>> deploys = deployRequests.readKeyValuesToList();
    assertThat(deploys).hasSize(1);
    assertThat(deploys.get(0).key).isEqualTo(applicationId);
    return (DeployRequested) deploys.get(0).value;
  }

  private void assertOutputsEmpty() {
    assertThat(deployRequests.isEmpty()).as("deploy-requests is empty").isTrue();
    assertThat(status.isEmpty()).as("status is empty").isTrue();
  }
}
