package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.orca.agent.compose.Container;
import dev.orca.agent.compose.DeployOutcome;
import dev.orca.agent.compose.EngineStatus;
import dev.orca.agent.compose.RemoveOutcome;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.PullImagesCommand;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command loop, health and heartbeats against a real broker, with a fake compose runtime. */
class AgentCommandsIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] KEY = EnvironmentCipher.newKey();

  @TempDir Path deployments;
  private AgentTopics kafka;
  private FakeRuntime runtime;
  private Agent agent;

  @BeforeEach
  void startAgent() {
    kafka = new AgentTopics();
    runtime = new FakeRuntime();
    agent = Agent.start(settings(), runtime);
  }

  @AfterEach
  void stopAgent() {
    agent.close();
    kafka.close();
  }

  @Test
  void shouldCommitTheOffsetOnlyAfterTheDeployResultWasWritten() {
    runtime.deployOutcome = DeployOutcome.ready(List.of(
        new Container("app-1-queue-7", "queue", "running", "starting", "registry.test/queue:42")));
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));

    DeployResult result = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);

    assertThat(result.getSuccess()).isTrue();
    assertThat(result.getContainers()).extracting(c -> c.getName(), c -> c.getService(), c -> c.getState(),
        c -> c.getHealth(), c -> c.getImage())
        .containsExactly(tuple("app-1-queue-7", "queue", "running", "starting", "registry.test/queue:42"));
    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId()) == 1);
  }

  @Test
  void shouldHandTheRuntimeTheEnvironmentOpenedWithTheAgentsKey() {
    kafka.send("app-1", withEnvironment(deploy("d1", "app-1", 1, "c1", inMinutes(5)), KEY, "app-1",
        "DB_PASSWORD=s3cret\n"));
    kafka.send("app-2", deploy("d2", "app-2", 1, "c2", inMinutes(5)));

    assertThat(kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT).getSuccess()).isTrue();
    assertThat(kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d2"), WAIT).getSuccess()).isTrue();
    assertThat(runtime.dotEnvs).containsEntry("app-1", "DB_PASSWORD=s3cret\n").containsEntry("app-2", "");
  }

  @Test
  void shouldFailAsComposeWithoutTouchingTheHostWhenTheEnvironmentIsSealedForAnotherAgentOrApplication() {
    kafka.send("app-1", withEnvironment(deploy("d1", "app-1", 1, "c1", inMinutes(5)), EnvironmentCipher.newKey(),
        "app-1", "DB_PASSWORD=s3cret\n"));
    kafka.send("app-2", withEnvironment(deploy("d2", "app-2", 1, "c2", inMinutes(5)), KEY, "app-1",
        "DB_PASSWORD=s3cret\n"));

    for (String deployment : List.of("d1", "d2")) {
      DeployResult result = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals(deployment), WAIT);
      assertThat(result.getSuccess()).isFalse();
      assertThat(result.getFailureKind()).isEqualTo(FailureKind.COMPOSE);
      assertThat(result.getError()).isEqualTo("cannot decrypt the application's environment: it was not encrypted"
          + " with this agent's environment key for this application, or it was altered");
    }
    assertThat(runtime.calls).isEmpty();
  }

  @Test
  void shouldFailADeploymentWithAnEnvironmentOnAnAgentWithoutAKey() {
    try (AgentTopics keyless = new AgentTopics();
        Agent withoutKey = Agent.start(new AgentSettings(keyless.bootstrap(), keyless.topics, keyless.agentId,
            deployments.resolve("keyless"), "unix:///nowhere.sock", Duration.ofMillis(300), Duration.ofMillis(200),
            "test"), runtime)) {
      keyless.send("app-1", withEnvironment(deploy("d1", "app-1", 1, "c1", inMinutes(5)), KEY, "app-1", "A=1\n"));

      DeployResult result = keyless.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);

      assertThat(result.getFailureKind()).isEqualTo(FailureKind.COMPOSE);
      assertThat(result.getError()).isEqualTo("cannot decrypt the application's environment: this agent has no"
          + " environment key (set ORCA_AGENT_ENVIRONMENT_KEY to the environmentKey shown when the agent was registered)");
      assertThat(runtime.calls).isEmpty();
    }
  }

  @Test
  void shouldHandTheCommandsFilesToTheRuntime() {
    kafka.send("app-1", DeployCommand.newBuilder(deploy("d1", "app-1", 1, "c1", inMinutes(5)))
        .setFiles(Map.of("web.env", java.nio.ByteBuffer.wrap("A=1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .build());

    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);

    assertThat(runtime.calls).singleElement().satisfies(call -> assertThat(call.files())
        .hasEntrySatisfying("web.env", bytes -> assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo("A=1\n")));
  }

  @Test
  void shouldReportTheRuntimesComposeFailureAndNotRetryTheSameDeployment() {
    runtime.deployOutcome = DeployOutcome.composeFailure("service 'db' exited with code 3", HealthStatus.UNHEALTHY,
        List.of(new Container("app-1-db-1", "db", "exited", null, "registry.test/db:9")));
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));

    DeployResult result = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId()) == 2);

    assertThat(result.getSuccess()).isFalse();
    assertThat(result.getFailureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(result.getError()).isEqualTo("service 'db' exited with code 3");
    assertThat(result.getHealth()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.getContainers()).extracting(c -> c.getName(), c -> c.getState())
        .containsExactly(tuple("app-1-db-1", "exited"));
    assertThat(runtime.deployedComposes()).containsExactly("c1");
    assertThat(kafka.events(DeployResult.class)).hasSize(1);
  }

  @Test
  void shouldKeepTheLastBaselineWhenAnImageUpdateCouldPullNothingAndChangedNothing() {
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
    // A new store each time: one caches what it read, and the agent's own store writes the file.
    java.util.function.Supplier<dev.orca.agent.command.DeploymentStateStore.Applied> applied = () ->
        new dev.orca.agent.command.DeploymentStateStore(new dev.orca.agent.compose.DeploymentsDir(deployments))
            .read("app-1").orElseThrow();
    var baseline = applied.get().baseline();
    assertThat(baseline).isNotNull();

    runtime.deployOutcome = DeployOutcome.unchangedFailure(DeployOutcome.NO_IMAGE_CHANGED + "registry down",
        HealthStatus.HEALTHY, List.of(new Container("app-1-web-1", "web", "running", null, "img")));
    kafka.send("app-1", deploy("d2", "app-1", 2, "c1", inMinutes(5)));
    DeployResult unchanged = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d2"), WAIT);
    assertThat(unchanged.getSuccess()).isFalse();
    await().atMost(WAIT).until(() -> applied.get().deploymentId().equals("d2"));
    assertThat(applied.get().baseline()).as("the stack is still d1's").isEqualTo(baseline);

    runtime.deployOutcome = DeployOutcome.composeFailure("service 'web' exited with code 3", HealthStatus.UNHEALTHY,
        List.of());
    kafka.send("app-1", deploy("d3", "app-1", 3, "c2", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d3"), WAIT);
    await().atMost(WAIT).until(() -> applied.get().deploymentId().equals("d3"));
    assertThat(applied.get().baseline()).as("a failure that changed the stack").isNull();
  }

  @Test
  void shouldDeployOtherApplicationsWhileOneIsStillStartingAndCommitOffsetsInOrder() {
    CountDownLatch slowReady = new CountDownLatch(1);
    runtime.holds.put("slow", slowReady);
    kafka.send("slow", deploy("d-slow", "slow", 1, "c-slow", inMinutes(5)));
    kafka.send("fast", deploy("d-fast", "fast", 1, "c-fast", inMinutes(5)));

    DeployResult fast = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d-fast"), WAIT);

    assertThat(fast.getSuccess()).isTrue();
    assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId).containsExactly("d-fast");
    // The fast one's offset is done, but the slow one before it is not: nothing is committed yet.
    assertThat(kafka.committedOffset(groupId())).isLessThan(1);
    slowReady.countDown();
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d-slow"), WAIT);
    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId()) == 2);
  }

  @Test
  void shouldSkipDeploymentsSupersededWhileTheirApplicationWasBusy() {
    CountDownLatch firstReady = new CountDownLatch(1);
    runtime.holds.put("app-1", firstReady);
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    await().atMost(WAIT).until(() -> runtime.deployedComposes().contains("c1"));
    kafka.send("app-1", deploy("d2", "app-1", 2, "c2", inMinutes(5)));
    kafka.send("app-1", deploy("d3", "app-1", 3, "c3", inMinutes(5)));
    kafka.send("app-1", deploy("d4", "app-1", 4, "c4", inMinutes(5)));
    await().atMost(WAIT).until(() -> agent.queuedCommands() == 4);

    firstReady.countDown();
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d4"), WAIT);

    assertThat(runtime.deployedComposes()).containsExactly("c1", "c4");
    assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId).containsExactly("d1", "d4");
    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId()) == 4);
  }

  @Test
  void shouldEndTheReadinessWaitOfADeployThatARemovalOrANewerGenerationMakesMoot() {
    CountDownLatch ready = new CountDownLatch(1);
    runtime.holds.put("app-1", ready);
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    await().atMost(WAIT).until(() -> runtime.deployedComposes().contains("c1"));
    // The same generation again (a redelivery) is no reason to give up.
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", deploy("d2", "app-1", 2, "c2", inMinutes(5)));
    kafka.send("app-1", remove("r1", "app-1", inMinutes(5)));
    await().atMost(WAIT).until(() -> agent.queuedCommands() == 4);

    assertThat(runtime.stopWaitingCalls).containsExactly(
        "app-1: deployment generation 2 is queued behind it", "app-1: the application is being removed");
    // Another application's command ends nothing here.
    kafka.send("app-2", deploy("d9", "app-2", 1, "c9", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d9"), WAIT);
    assertThat(runtime.stopWaitingCalls).hasSize(2);

    ready.countDown();
    kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);
    // The repeated d1 is skipped for d2; d2 starts with the removal already behind it, so it is
    // told at once (a reason given for d1's wait is cleared first, never left for d2).
    assertThat(runtime.stopWaitingCalls).containsExactly("app-1: deployment generation 2 is queued behind it",
        "app-1: the application is being removed", "app-1: the application is being removed");
    assertThat(runtime.clearStopWaitingCalls).containsExactly("app-1", "app-2", "app-1");
    assertThat(runtime.deployedComposes()).containsExactly("c1", "c9", "c2");
  }

  @Test
  void shouldSkipOlderGenerationsAndRepeatedDeploymentsAcrossRestarts() {
    kafka.send("app-1", deploy("d2", "app-1", 2, "c2", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d2"), WAIT);
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", deploy("d2", "app-1", 2, "c2", inMinutes(5)));
    kafka.send("app-1", deploy("d3", "app-1", 3, "c3", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d3"), WAIT);

    assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId).containsExactly("d2", "d3");
    assertThat(runtime.deployedComposes()).containsExactly("c2", "c3");

    agent.close();
    FakeRuntime restarted = new FakeRuntime();
    agent = Agent.start(settings(), restarted);
    kafka.send("app-1", deploy("d3", "app-1", 3, "c3", inMinutes(5)));
    kafka.send("app-1", deploy("d4", "app-1", 4, "c4", inMinutes(5)));
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d4"), WAIT);

    assertThat(restarted.deployedComposes()).containsExactly("c4");
    assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId)
        .containsExactly("d2", "d3", "d4");
  }

  @Test
  void shouldAnswerFailuresWithoutTouchingTheHostWhenCommandsArriveAfterTheirDeadline() {
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", Instant.now().minusSeconds(1)));
    kafka.send("app-1", remove("r1", "app-1", Instant.now().minusSeconds(1)));

    DeployResult deploy = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
    RemoveResult remove = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);

    assertThat(deploy.getSuccess()).isFalse();
    assertThat(deploy.getFailureKind()).isEqualTo(FailureKind.TRANSPORT);
    assertThat(deploy.getError()).isEqualTo("command arrived after its deadline");
    assertThat(remove.getSuccess()).isFalse();
    assertThat(remove.getError()).isEqualTo("removal arrived after its deadline");
    assertThat(runtime.calls).isEmpty();
  }

  @Test
  void shouldSkipPoisonRecordsAndKeepConsuming() {
    kafka.sendRaw("app-1", "not avro at all".getBytes());
    kafka.sendRaw("app-1", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    kafka.send("app-1", PullImagesCommand.newBuilder().setRequestId("p1").setApplicationId("app-1")
        .setProject("app-1").setDeadline(inMinutes(5)).setAt(Instant.now()).build());
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));

    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);

    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId()) == 4);
    assertThat(agent.isRunning()).isTrue();
  }

  @Test
  void shouldRefuseApplicationIdsAndProjectsThatAreUnsafeInPathsOrCommandLines() {
    kafka.send("x", deploy("d1", "../etc", 1, "c1", inMinutes(5)));
    kafka.send("x", DeployCommand.newBuilder(deploy("d2", "app-1", 1, "c1", inMinutes(5))).setProject("Bad;rm").build());
    kafka.send("x", remove("r1", "a/b", inMinutes(5)));

    DeployResult badId = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
    DeployResult badProject = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d2"), WAIT);
    RemoveResult badRemove = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);

    assertThat(badId.getSuccess()).isFalse();
    assertThat(badId.getError()).contains("invalid application id");
    assertThat(badProject.getError()).contains("invalid compose project name");
    assertThat(badRemove.getError()).contains("invalid application id");
    assertThat(runtime.calls).isEmpty();
  }

  @Test
  void shouldForgetTheDeploymentWhenTheRuntimeRemovedTheStack() {
    runtime.removeOutcome = RemoveOutcome.removed();
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", remove("r1", "app-1", inMinutes(5)));
    kafka.send("app-1", remove("r2", "app-1", inMinutes(5)));
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));

    RemoveResult first = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);
    RemoveResult second = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r2"), WAIT);
    await().atMost(WAIT).until(() -> kafka.events(DeployResult.class).size() == 2);

    assertThat(List.of(first, second)).allSatisfy(r -> {
      assertThat(r.getSuccess()).isTrue();
      assertThat(r.getError()).isNull();
    });
    assertThat(runtime.calls).extracting(FakeRuntime.Call::kind).containsExactly("deploy", "remove", "remove", "deploy");
  }

  @Test
  void shouldReportTheRuntimesRemovalFailureAndKeepTheDeployment() {
    runtime.removeOutcome = RemoveOutcome.failed("compose down failed: network app-1_default busy");
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", remove("r1", "app-1", inMinutes(5)));
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    kafka.send("app-1", deploy("d2", "app-1", 2, "c2", inMinutes(5)));

    RemoveResult removal = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);
    kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d2"), WAIT);

    assertThat(removal.getSuccess()).isFalse();
    assertThat(removal.getError()).isEqualTo("compose down failed: network app-1_default busy");
    assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId).containsExactly("d1", "d2");
    assertThat(runtime.deployedComposes()).containsExactly("c1", "c2");
  }

  @Test
  void shouldSayInHeartbeatsAndResultsThatDockerIsMissingAndRecoverWhenItAppears() {
    String missing = "No Docker engine at unix:///nowhere.sock: this agent cannot deploy until one is running";
    runtime.status = new EngineStatus(false, null, "docker-compose", "1.29.2", missing);

    Heartbeat down = kafka.await(Heartbeat.class, h -> !h.getDockerAvailable(), WAIT);
    kafka.send("app-1", deploy("d1", "app-1", 1, "c1", inMinutes(5)));
    DeployResult failed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
    runtime.status = new EngineStatus(true, "99.1.0-test", "compose-under-test", "2.99.0-test", null);
    // Heartbeats from before Docker went down are also available; only the new version marks a recovered one.
    Heartbeat up = kafka.await(Heartbeat.class, h -> h.getDockerAvailable()
        && "99.1.0-test".equals(h.getDockerVersion()), WAIT);

    assertThat(down.getMessage()).isEqualTo(missing);
    assertThat(down.getAgentId()).isEqualTo(kafka.agentId);
    assertThat(down.getIntervalSeconds()).isEqualTo(1);
    assertThat(failed.getFailureKind()).isEqualTo(FailureKind.TRANSPORT);
    assertThat(failed.getError()).isEqualTo(missing);
    assertThat(up.getComposeCommand()).isEqualTo("compose-under-test");
    assertThat(up.getComposeVersion()).isEqualTo("2.99.0-test");
    assertThat(up.getMessage()).isNull();
    assertThat(agent.isRunning()).isTrue();
  }

  @Test
  void shouldReportHealthWhenAnApplicationsContainersChange() {
    runtime.observed.put("app-1", List.of(new Container("p-web-1", "web", "running", null, "img")));
    runtime.observed.put("app-2", List.of());
    kafka.await(HealthReport.class, r -> r.getApplicationId().equals("app-1")
        && r.getHealth() == HealthStatus.HEALTHY, WAIT);
    kafka.await(HealthReport.class, r -> r.getApplicationId().equals("app-2")
        && r.getHealth() == HealthStatus.MISSING, WAIT);

    runtime.observed.put("app-1", List.of(new Container("p-worker-3", "worker", "exited", null, "registry.test/w:5")));

    HealthReport changed = kafka.await(HealthReport.class, r -> r.getApplicationId().equals("app-1")
        && r.getHealth() == HealthStatus.UNHEALTHY, WAIT);
    assertThat(changed.getContainers()).extracting(c -> c.getName(), c -> c.getService(), c -> c.getState(),
        c -> c.getImage()).containsExactly(tuple("p-worker-3", "worker", "exited", "registry.test/w:5"));
  }

  private AgentSettings settings() {
    return new AgentSettings(kafka.bootstrap(), kafka.topics, kafka.agentId, deployments,
        "unix:///nowhere.sock", Duration.ofMillis(300), Duration.ofMillis(200), "test", AgentSettings.DEFAULT_CONCURRENCY,
        KEY);
  }

  /** The command with its environment: the .env sealed with {@code key} for {@code sealedFor}. */
  static DeployCommand withEnvironment(DeployCommand command, byte[] key, String sealedFor, String dotEnv) {
    command.setSettings(DeploySettings.newBuilder()
        .setEnvironment(ByteBuffer.wrap(EnvironmentCipher.encrypt(key, sealedFor, dotEnv))).build());
    return command;
  }

  private String groupId() {
    return "orca.agent-" + kafka.agentId;
  }

  static DeployCommand deploy(String id, String app, long generation, String compose, Instant deadline) {
    return DeployCommand.newBuilder().setDeploymentId(id).setApplicationId(app).setGeneration(generation)
        .setProject(app.toLowerCase()).setCompose(compose).setEnv(Map.of()).setDeadline(deadline)
        .setAt(Instant.now()).build();
  }

  static RemoveCommand remove(String id, String app, Instant deadline) {
    return RemoveCommand.newBuilder().setRequestId(id).setApplicationId(app).setProject(app.toLowerCase())
        .setDeadline(deadline).setAt(Instant.now()).build();
  }

  static Instant inMinutes(long minutes) {
    return Instant.now().plus(Duration.ofMinutes(minutes));
  }
}
