package dev.orca.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.testsupport.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatchTopologyTest {

  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(300);
  private static final String APP = "App-1";
  private static final String AGENT = "agent-a";
  private static final String OTHER_AGENT = "agent-b";

  private final Topics topics = new Topics("test.", 3, (short) 1);
  private final MutableClock clock = new MutableClock(START);

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, SpecificRecord> requests;
  private Reports agentEvents;
  private Reports otherAgentEvents;
  private TestOutputTopic<String, SpecificRecord> commands;
  private TestOutputTopic<String, SpecificRecord> otherCommands;
  private TestOutputTopic<String, SpecificRecord> status;

  @BeforeEach
  void startDriver() {
    // The dispatcher's own configuration, so the poison-record test covers the handler it really sets.
    Properties props = DeployDispatcher.properties(new DispatcherSettings("unused:9092", topics, stateDir, TIMEOUT));
    driver = new TopologyTestDriver(DispatchTopology.build(topics, clock, TIMEOUT), props, START);
    requests = input(topics.deployRequests());
    TestInputTopic<String, SpecificRecord> reports = input(topics.agentReports());
    agentEvents = new Reports(reports, AGENT);
    otherAgentEvents = new Reports(reports, OTHER_AGENT);
    commands = output(topics.agentCommands(AGENT));
    otherCommands = output(topics.agentCommands(OTHER_AGENT));
    status = output(topics.status());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldNumberGenerationsAboveTheFloorTheConfigurationCarries() {
    // An installation imported onto a new broker: this dispatcher has counted nothing yet, but the
    // application's history (and its agent) reached generation 7.
    requests.pipeInput(APP, request("c1", "d1", true).setGenerationFloor(7).build());
    requests.pipeInput(APP, request("c2", "d2", true).setGenerationFloor(7).build());
    // A floor below its own count changes nothing.
    requests.pipeInput(APP, request("c3", "d3", true).setGenerationFloor(2).build());

    assertThat(commands.readValuesToList()).extracting(command -> ((DeployCommand) command).getGeneration())
        .containsExactly(8L, 9L, 10L);
  }

  @Test
  void shouldDispatchDeployCommandToTheAgentsTopic() {
    requests.pipeInput(APP, request("c1", "d1", true).build());

    var sent = commands.readKeyValuesToList();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).key).isEqualTo(APP);
    DeployCommand command = (DeployCommand) sent.get(0).value;
    assertThat(command.getApplicationId()).isEqualTo(APP);
    assertThat(command.getGeneration()).isEqualTo(1);
    assertThat(command.getProject()).isEqualTo("orca-app-1");
    assertThat(command.getCompose()).isEqualTo(compose("d1"));
    assertThat(command.getEnv()).isEmpty();
    assertThat(command.getDeadline()).isEqualTo(START.plus(TIMEOUT));
    assertThat(command.getAt()).isEqualTo(START);

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged started = (DeploymentChanged) events.get(0);
    assertThat(started.getDeploymentId()).isEqualTo(command.getDeploymentId());
    assertThat(started.getState()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(started.getAgentId()).isEqualTo(AGENT);
    assertThat(started.getGeneration()).isEqualTo(1);
    assertThat(started.getReason()).isEqualTo(DeployReason.SYNC);
    assertThat(started.getActor()).isEqualTo("sync-stream");
    assertThat(started.getCommit()).isEqualTo("c1");
    assertThat(started.getDigest()).isEqualTo("d1");
    assertThat(started.getStartedAt()).isEqualTo(START);
    assertThat(started.getDeadline()).isEqualTo(START.plus(TIMEOUT));
    assertThat(started.getEndedAt()).isNull();
    ApplicationStatusChanged syncing = (ApplicationStatusChanged) events.get(1);
    assertThat(syncing.getSyncStatus()).isEqualTo(SyncStatus.SYNCING);
    assertThat(syncing.getCommit()).isEqualTo("c1");
    assertThat(syncing.getCommitMessage()).isEqualTo("message of c1");
    assertThat(syncing.getDeploymentId()).isEqualTo(command.getDeploymentId());
    assertThat(syncing.getCompose()).isEqualTo(compose("d1"));
    assertThat(syncing.getComposeDigest()).isEqualTo("d1");
    assertThat(events).filteredOn(e -> e instanceof ApplicationStatusChanged s && s.getSyncStatus() == SyncStatus.SYNCING)
        .hasSize(1);
    assertNothingMore();
  }

  @Test
  void shouldCarryTheApplicationsFilesInTheCommand() {
    Map<String, ByteBuffer> files = Map.of("web.env", utf8("GREETING=hello\n"), "conf/app.conf", utf8("v=1\n"));

    requests.pipeInput(APP, request("c1", "d1", true).setFiles(files).build());

    DeployCommand command = (DeployCommand) single(commands.readValuesToList());
    assertThat(command.getFiles()).isEqualTo(files);
    assertThat(status.readValuesToList()).hasSize(2);
    assertNothingMore();
  }

  @Test
  void shouldRecordCommitOnlyWhenUnchangedDigestLastSucceeded() {
    String deploymentId = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    drain();
    clock.advance(Duration.ofMinutes(1));

    requests.pipeInput(APP, request("c2", "d1", false).build());

    ApplicationStatusChanged recorded = (ApplicationStatusChanged) single(status.readValuesToList());
    assertThat(recorded.getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
    assertThat(recorded.getCommit()).isEqualTo("c2");
    assertThat(recorded.getCommitMessage()).isEqualTo("message of c2");
    assertThat(recorded.getLastSyncedAt()).isEqualTo(clock.instant());
    assertThat(recorded.getUpdateLastSyncError()).isTrue();
    assertThat(recorded.getLastSyncError()).isNull();
    assertThat(recorded.getHealthStatus()).isNull();
    assertThat(recorded.getDeploymentId()).isNull();
    assertNothingMore();
  }

  @Test
  void shouldRecordOnlyTheCommitWhileTheSameDigestIsInFlight() {
    deploy("c1", "d1");

    requests.pipeInput(APP, request("c2", "d1", false).build());

    ApplicationStatusChanged recorded = (ApplicationStatusChanged) single(status.readValuesToList());
    assertThat(recorded.getCommit()).isEqualTo("c2");
    assertThat(recorded.getCommitMessage()).isEqualTo("message of c2");
    assertThat(recorded.getSyncStatus()).isNull();
    assertThat(recorded.getUpdateLastSyncError()).isFalse();
    assertNothingMore();
  }

  @Test
  void shouldRedeployUnchangedDigestWhoseLastDeploymentFailed() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, failure(first, FailureKind.COMPOSE, "port in use"));
    drain();

    requests.pipeInput(APP, request("c2", "d1", false).build());

    DeployCommand again = (DeployCommand) single(commands.readValuesToList());
    assertThat(again.getGeneration()).isEqualTo(2);
    assertThat(again.getDeploymentId()).isNotEqualTo(first);
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    assertThat(((DeploymentChanged) events.get(0)).getState()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(((ApplicationStatusChanged) events.get(1)).getSyncStatus()).isEqualTo(SyncStatus.SYNCING);
    assertNothingMore();
  }

  @Test
  void shouldMarkSyncedAndHealthyOnSuccess() {
    String deploymentId = deploy("c1", "d1");
    clock.advance(Duration.ofSeconds(20));

    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged succeeded = (DeploymentChanged) events.get(0);
    assertThat(succeeded.getDeploymentId()).isEqualTo(deploymentId);
    assertThat(succeeded.getState()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(succeeded.getEndedAt()).isEqualTo(clock.instant());
    assertThat(succeeded.getError()).isNull();
    ApplicationStatusChanged synced = (ApplicationStatusChanged) events.get(1);
    assertThat(synced.getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
    assertThat(synced.getHealthStatus()).isEqualTo(HealthStatus.HEALTHY);
    // When the agent saw it: the projector orders it against the agent's health reports.
    assertThat(synced.getHealthAt()).isEqualTo(clock.instant());
    assertThat(synced.getLastSyncedAt()).isEqualTo(clock.instant());
    assertThat(synced.getUpdateLastSyncError()).isTrue();
    assertThat(synced.getLastSyncError()).isNull();
    assertThat(synced.getCompose()).isEqualTo(compose("d1"));
    assertThat(synced.getComposeDigest()).isEqualTo("d1");
    assertThat(synced.getDeploymentId()).isEqualTo(deploymentId);
    assertNothingMore();
  }

  @Test
  void shouldMarkOutOfSyncAndUnhealthyOnComposeFailure() {
    String deploymentId = deploy("c1", "d1");

    agentEvents.pipeInput(APP, failure(deploymentId, FailureKind.COMPOSE, "image not found"));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged failed = (DeploymentChanged) events.get(0);
    assertThat(failed.getState()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.getError()).isEqualTo("image not found");
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(outOfSync.getHealthAt()).isEqualTo(clock.instant());
    assertThat(outOfSync.getUpdateLastSyncError()).isTrue();
    assertThat(outOfSync.getLastSyncError()).isEqualTo("image not found");
    assertThat(outOfSync.getLastSyncedAt()).isNull();
    assertNothingMore();
  }

  @Test
  void shouldSayMissingWhenAFailedDeploymentLeftNoContainers() {
    String deploymentId = deploy("c1", "d1");

    agentEvents.pipeInput(APP, DeployResult.newBuilder(failure(deploymentId, FailureKind.COMPOSE, "pull access denied"))
        .setHealth(HealthStatus.MISSING).build());

    List<SpecificRecord> events = status.readValuesToList();
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).isEqualTo(HealthStatus.MISSING);
  }

  @Test
  void shouldLeaveHealthUntouchedOnTransportFailure() {
    String deploymentId = deploy("c1", "d1");

    agentEvents.pipeInput(APP, failure(deploymentId, FailureKind.TRANSPORT, "docker daemon unreachable"));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    assertThat(((DeploymentChanged) events.get(0)).getState()).isEqualTo(DeploymentState.FAILED);
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).isNull();
    assertThat(outOfSync.getUpdateLastSyncError()).isTrue();
    assertThat(outOfSync.getLastSyncError()).isEqualTo("docker daemon unreachable");
    assertNothingMore();
  }

  @Test
  void shouldTimeOutDeploymentPastDeadline() {
    String deploymentId = deploy("c1", "d1");
    Instant deadline = START.plus(TIMEOUT);

    advance(TIMEOUT.minusSeconds(2));
    assertThat(status.isEmpty()).isTrue();
    advance(Duration.ofSeconds(3));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged timedOut = (DeploymentChanged) events.get(0);
    assertThat(timedOut.getDeploymentId()).isEqualTo(deploymentId);
    assertThat(timedOut.getState()).isEqualTo(DeploymentState.TIMED_OUT);
    assertThat(timedOut.getError()).isEqualTo("agent did not answer by " + deadline);
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).isNull();
    assertThat(outOfSync.getUpdateLastSyncError()).isTrue();
    assertThat(outOfSync.getLastSyncError()).isEqualTo("deployment timed out: agent did not answer by " + deadline);
    advance(Duration.ofMinutes(5));
    assertNothingMore();
  }

  @Test
  void shouldFailTheDeploymentInFlightAtOnceWhenItsAgentStopsSendingHeartbeats() {
    agentEvents.pipeInput(AGENT, heartbeat(AGENT));
    String deploymentId = deploy("c1", "d1");

    advance(Duration.ofSeconds(44));
    assertThat(status.isEmpty()).as("still within three heartbeat intervals").isTrue();
    advance(Duration.ofSeconds(2));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged failed = (DeploymentChanged) events.get(0);
    assertThat(failed.getDeploymentId()).isEqualTo(deploymentId);
    assertThat(failed.getState()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.getError()).isEqualTo("agent agent-a is offline (no heartbeat since " + START + ")");
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).as("a transport failure leaves health alone").isNull();
    assertThat(outOfSync.getLastSyncError()).isEqualTo(failed.getError());
    advance(TIMEOUT);
    assertNothingMore();
  }

  @Test
  void shouldKeepWaitingForADeploymentWhileItsAgentSendsHeartbeats() {
    agentEvents.pipeInput(AGENT, heartbeat(AGENT));
    deploy("c1", "d1");

    for (int i = 0; i < 12; i++) {
      advance(Duration.ofSeconds(10));
      agentEvents.pipeInput(AGENT, heartbeat(AGENT));
    }

    assertNothingMore();
  }

  @Test
  void shouldFailADeploymentForAnOfflineAgentAtOnceAndLetItsLateResultWin() {
    agentEvents.pipeInput(AGENT, heartbeat(AGENT));
    advance(Duration.ofMinutes(1));

    requests.pipeInput(APP, request("c1", "d1", true).build());

    DeployCommand command = (DeployCommand) single(commands.readValuesToList());
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).extracting(e -> e instanceof DeploymentChanged d ? d.getState().name()
        : ((ApplicationStatusChanged) e).getSyncStatus().name())
        .containsExactly("IN_PROGRESS", "SYNCING", "FAILED", "OUT_OF_SYNC");
    assertThat(((DeploymentChanged) events.get(2)).getError()).startsWith("agent agent-a is offline");

    agentEvents.pipeInput(APP, success(command.getDeploymentId(), HealthStatus.HEALTHY));

    List<SpecificRecord> late = status.readValuesToList();
    assertThat(((DeploymentChanged) late.get(0)).getState()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(((ApplicationStatusChanged) late.get(1)).getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
  }

  @Test
  void shouldFailADeploymentForAnAgentNeverHeardFromOnceItsHeartbeatsWouldHaveArrived() {
    // The test driver runs one task, partition 0: pick an agent whose heartbeats land there.
    AgentLiveness liveness = new AgentLiveness(topics.partitions(), Duration.ofSeconds(15));
    String silent = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "silent-" + i)
        .filter(id -> liveness.heartbeatPartition(id) == 0).findFirst().orElseThrow();
    TestOutputTopic<String, SpecificRecord> silentCommands = output(topics.agentCommands(silent));
    advance(Duration.ofSeconds(46));

    requests.pipeInput(APP, request("c1", "d1", true).setAgentId(silent).build());

    assertThat(silentCommands.readValuesToList()).hasSize(1);
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(4);
    assertThat(((DeploymentChanged) events.get(2)).getError())
        .isEqualTo("agent " + silent + " is offline (it has not sent a heartbeat since " + START + ")");
  }

  @Test
  void shouldLetALateResultForTheCurrentDeploymentWin() {
    String deploymentId = deploy("c1", "d1");
    advance(TIMEOUT.plusSeconds(5));
    drain();

    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    assertThat(((DeploymentChanged) events.get(0)).getState()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(((ApplicationStatusChanged) events.get(1)).getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
    assertThat(((ApplicationStatusChanged) events.get(1)).getLastSyncError()).isNull();

    // The late success counts as the digest's last outcome: the next commit only records itself.
    requests.pipeInput(APP, request("c2", "d1", false).build());
    assertThat(((ApplicationStatusChanged) single(status.readValuesToList())).getSyncStatus())
        .isEqualTo(SyncStatus.SYNCED);
    assertNothingMore();
  }

  @Test
  void shouldRecordResultOfSupersededDeploymentInHistoryOnly() {
    String first = deploy("c1", "d1");
    String second = deploy("c2", "d2");

    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));

    DeploymentChanged history = (DeploymentChanged) single(status.readValuesToList());
    assertThat(history.getDeploymentId()).isEqualTo(first);
    assertThat(history.getState()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(history.getGeneration()).isEqualTo(1);

    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    assertThat(status.isEmpty()).isTrue();

    agentEvents.pipeInput(APP, success(second, HealthStatus.HEALTHY));
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    assertThat(((ApplicationStatusChanged) events.get(1)).getDeploymentId()).isEqualTo(second);
    assertNothingMore();
  }

  @Test
  void shouldSupersedeInFlightDeployment() {
    String first = deploy("c1", "d1");
    clock.advance(Duration.ofSeconds(5));

    requests.pipeInput(APP, request("c2", "d2", true).build());

    DeployCommand command = (DeployCommand) single(commands.readValuesToList());
    assertThat(command.getGeneration()).isEqualTo(2);
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(3);
    DeploymentChanged superseded = (DeploymentChanged) events.get(0);
    assertThat(superseded.getDeploymentId()).isEqualTo(first);
    assertThat(superseded.getState()).isEqualTo(DeploymentState.SUPERSEDED);
    assertThat(superseded.getEndedAt()).isEqualTo(clock.instant());
    DeploymentChanged started = (DeploymentChanged) events.get(1);
    assertThat(started.getDeploymentId()).isEqualTo(command.getDeploymentId());
    assertThat(started.getGeneration()).isEqualTo(2);
    assertThat(started.getState()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(((ApplicationStatusChanged) events.get(2)).getSyncStatus()).isEqualTo(SyncStatus.SYNCING);

    // The superseded deployment's deadline no longer matters; only the current one times out.
    advance(TIMEOUT.plusSeconds(1));
    List<SpecificRecord> timeouts = status.readValuesToList();
    assertThat(timeouts).hasSize(2);
    assertThat(((DeploymentChanged) timeouts.get(0)).getDeploymentId()).isEqualTo(command.getDeploymentId());
    assertNothingMore();
  }

  @Test
  void shouldIgnoreResultsFromAnAgentTheApplicationIsNotAssignedTo() {
    String deploymentId = deploy("c1", "d1");

    otherAgentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    otherAgentEvents.pipeInput(APP, RemoveResult.newBuilder().setRequestId("r1").setApplicationId(APP)
        .setSuccess(true).setAt(clock.instant()).build());

    assertNothingMore();
  }

  @Test
  void shouldUseRequestedDeploymentId() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    drain();

    requests.pipeInput(APP, request("c1", "d1", false).setReason(DeployReason.MANUAL)
        .setDeploymentId("manual-42").setActor("alice").build());

    DeployCommand command = (DeployCommand) single(commands.readValuesToList());
    assertThat(command.getDeploymentId()).isEqualTo("manual-42");
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged started = (DeploymentChanged) events.get(0);
    assertThat(started.getDeploymentId()).isEqualTo("manual-42");
    assertThat(started.getReason()).isEqualTo(DeployReason.MANUAL);
    assertThat(started.getActor()).isEqualTo("alice");
    assertThat(((ApplicationStatusChanged) events.get(1)).getDeploymentId()).isEqualTo("manual-42");
    assertNothingMore();
  }

  @Test
  void shouldSendRemoveCommandWithTheSameDeadline() {
    String deploymentId = deploy("c1", "d1");
    Instant deadline = START.plusSeconds(60);

    requests.pipeInput(APP, remove("r1", deadline));

    var sent = commands.readKeyValuesToList();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).key).isEqualTo(APP);
    RemoveCommand command = (RemoveCommand) sent.get(0).value;
    assertThat(command.getRequestId()).isEqualTo("r1");
    assertThat(command.getApplicationId()).isEqualTo(APP);
    assertThat(command.getProject()).isEqualTo("orca-app-1");
    assertThat(command.getDeadline()).isEqualTo(deadline);
    assertThat(command.getAt()).isEqualTo(START);
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged superseded = (DeploymentChanged) events.get(0);
    assertThat(superseded.getDeploymentId()).isEqualTo(deploymentId);
    assertThat(superseded.getState()).isEqualTo(DeploymentState.SUPERSEDED);
    assertThat(events.get(1)).isInstanceOf(ApplicationStatusChanged.class);
    assertNothingMore();
  }

  @Test
  void shouldMarkOutOfSyncWhenARemovalSupersedesTheDeploymentInFlight() {
    String deploymentId = deploy("c1", "d1");
    clock.advance(Duration.ofSeconds(5));

    requests.pipeInput(APP, remove("r1", START.plus(TIMEOUT.multipliedBy(3))));

    assertThat(single(commands.readValuesToList())).isInstanceOf(RemoveCommand.class);
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged superseded = (DeploymentChanged) events.get(0);
    assertThat(superseded.getDeploymentId()).isEqualTo(deploymentId);
    assertThat(superseded.getState()).isEqualTo(DeploymentState.SUPERSEDED);
    assertThat(superseded.getError()).isEqualTo("deployment superseded by removal");
    assertThat(superseded.getEndedAt()).isEqualTo(clock.instant());
    ApplicationStatusChanged outOfSync = (ApplicationStatusChanged) events.get(1);
    assertThat(outOfSync.getApplicationId()).isEqualTo(APP);
    assertThat(outOfSync.getSyncStatus()).isEqualTo(SyncStatus.OUT_OF_SYNC);
    assertThat(outOfSync.getHealthStatus()).isNull();
    assertThat(outOfSync.getUpdateLastSyncError()).isTrue();
    assertThat(outOfSync.getLastSyncError()).isEqualTo("deployment superseded by removal");
    assertThat(outOfSync.getDeploymentId()).isEqualTo(deploymentId);

    // The superseded deployment is history: its deadline passing changes nothing.
    advance(TIMEOUT.plusSeconds(1));
    assertNothingMore();
  }

  @Test
  void shouldKeepADeploymentSupersededByRemovalSupersededWhenTheAgentAnswersIt() {
    String deploymentId = deploy("c1", "d1");
    requests.pipeInput(APP, remove("r1", START.plusSeconds(60)));
    drain();

    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    agentEvents.pipeInput(APP, failure(deploymentId, FailureKind.COMPOSE, "port in use"));
    assertNothingMore();

    // The removal is still the one in progress and ends as usual.
    agentEvents.pipeInput(APP, removeResult("r1", false, "compose down failed"));
    ApplicationRemovalFinished finished = (ApplicationRemovalFinished) single(status.readValuesToList());
    assertThat(finished.getRemoved()).isFalse();
    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    advance(TIMEOUT.plusSeconds(1));
    assertNothingMore();
  }

  @Test
  void shouldIgnoreDeployRequestsForARemovedApplicationForAWeek() {
    String deploymentId = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    requests.pipeInput(APP, remove("r1", START.plusSeconds(60)));
    agentEvents.pipeInput(APP, removeResult("r1", true, null));
    drain();

    // Sent by sync-stream before it saw the config tombstone: must not bring the stack back.
    requests.pipeInput(APP, request("c2", "d2", true).build());
    requests.pipeInput(APP, request("c2", "d1", false).setReason(DeployReason.MANUAL).setDeploymentId("manual-1").build());
    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    agentEvents.pipeInput(APP, removeResult("r1", true, null));
    assertNothingMore();

    advance(Duration.ofDays(6));
    requests.pipeInput(APP, request("c3", "d3", true).build());
    assertNothingMore();

    // After a week the marker is purged; an id is never reused, so this only proves it is gone.
    advance(Duration.ofDays(1).plusSeconds(1));
    assertNothingMore();
    requests.pipeInput(APP, request("c4", "d4", true).build());
    assertThat(((DeployCommand) single(commands.readValuesToList())).getGeneration()).isEqualTo(1);
    drain();
    assertNothingMore();
  }

  @Test
  void shouldRetryTheRemovalFromTheOldAgentUntilItConfirmsIt() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT).build());
    RemoveCommand handover = (RemoveCommand) single(commands.readValuesToList());
    DeployCommand moved = (DeployCommand) single(otherCommands.readValuesToList());
    otherAgentEvents.pipeInput(APP, success(moved.getDeploymentId(), HealthStatus.HEALTHY));
    drain();

    agentEvents.pipeInput(APP, removeResult(handover.getRequestId(), false, "docker engine unreachable"));
    advance(Duration.ofSeconds(29));
    assertNothingMore();
    advance(Duration.ofSeconds(2));

    RemoveCommand second = (RemoveCommand) single(commands.readValuesToList());
    assertThat(second.getRequestId()).isNotEqualTo(handover.getRequestId());
    assertThat(second.getDeadline()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
    assertThat(status.isEmpty()).as("a handover is not the application's removal").isTrue();

    agentEvents.pipeInput(APP, removeResult(second.getRequestId(), false, "still unreachable"));
    advance(Duration.ofSeconds(59));
    assertNothingMore();
    advance(Duration.ofSeconds(2));
    RemoveCommand third = (RemoveCommand) single(commands.readValuesToList());

    agentEvents.pipeInput(APP, removeResult(third.getRequestId(), true, null));
    advance(Duration.ofHours(2));
    assertNothingMore();
  }

  @Test
  void shouldNotRetryARemovalFromAnAgentTheApplicationMovedBackTo() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT).build());
    RemoveCommand handover = (RemoveCommand) single(commands.readValuesToList());
    drain();
    agentEvents.pipeInput(APP, removeResult(handover.getRequestId(), false, "docker engine unreachable"));

    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(AGENT).build());
    assertThat(commands.readValuesToList()).singleElement().isInstanceOf(DeployCommand.class);
    drain();
    advance(Duration.ofHours(2));

    assertThat(commands.readValuesToList()).noneMatch(c -> c instanceof RemoveCommand);
  }

  @Test
  void shouldMoveTheApplicationToItsNewAgentAndRemoveItFromTheOldOne() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    drain();
    clock.advance(Duration.ofSeconds(30));

    // Same commit and digest: only the agent changed.
    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT)
        .setFiles(Map.of("web.env", utf8("A=1\n"))).build());

    DeployCommand deploy = (DeployCommand) single(otherCommands.readValuesToList());
    assertThat(deploy.getFiles()).containsOnlyKeys("web.env");
    assertThat(deploy.getGeneration()).isEqualTo(2);
    assertThat(deploy.getDeploymentId()).isNotEqualTo(first);
    assertThat(deploy.getCompose()).isEqualTo(compose("d1"));
    assertThat(deploy.getDeadline()).isEqualTo(clock.instant().plus(TIMEOUT));
    var removals = commands.readKeyValuesToList();
    assertThat(removals).hasSize(1);
    assertThat(removals.get(0).key).isEqualTo(APP);
    RemoveCommand handover = (RemoveCommand) removals.get(0).value;
    assertThat(handover.getApplicationId()).isEqualTo(APP);
    assertThat(handover.getProject()).isEqualTo("orca-app-1");
    // Far ahead: an old agent offline for long still removes the stack when it comes back.
    assertThat(handover.getDeadline()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
    assertThat(handover.getAt()).isEqualTo(clock.instant());
    assertThat(UUID.fromString(handover.getRequestId())).isNotNull();
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    DeploymentChanged started = (DeploymentChanged) events.get(0);
    assertThat(started.getAgentId()).isEqualTo(OTHER_AGENT);
    assertThat(started.getState()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(((ApplicationStatusChanged) events.get(1)).getSyncStatus()).isEqualTo(SyncStatus.SYNCING);

    // The old agent's answer is the handover, not a removal of the application.
    agentEvents.pipeInput(APP, removeResult(handover.getRequestId(), true, null));
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    assertNothingMore();

    // Results now count only from the new agent.
    agentEvents.pipeInput(APP, success(deploy.getDeploymentId(), HealthStatus.HEALTHY));
    assertNothingMore();
    otherAgentEvents.pipeInput(APP, success(deploy.getDeploymentId(), HealthStatus.HEALTHY));
    List<SpecificRecord> outcome = status.readValuesToList();
    assertThat(outcome).hasSize(2);
    assertThat(((ApplicationStatusChanged) outcome.get(1)).getSyncStatus()).isEqualTo(SyncStatus.SYNCED);
    advance(TIMEOUT.plusSeconds(1));
    assertNothingMore();
  }

  @Test
  void shouldSupersedeTheDeploymentInFlightWhenTheApplicationMoves() {
    String first = deploy("c1", "d1");

    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT).build());

    assertThat(single(commands.readValuesToList())).isInstanceOf(RemoveCommand.class);
    DeployCommand deploy = (DeployCommand) single(otherCommands.readValuesToList());
    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(3);
    assertThat(((DeploymentChanged) events.get(0)).getDeploymentId()).isEqualTo(first);
    assertThat(((DeploymentChanged) events.get(0)).getState()).isEqualTo(DeploymentState.SUPERSEDED);
    assertThat(((DeploymentChanged) events.get(1)).getDeploymentId()).isEqualTo(deploy.getDeploymentId());

    // A removal of the application now goes to the new agent, and only its result finishes it.
    requests.pipeInput(APP, RemoveRequested.newBuilder().setRequestId("r1").setApplicationId(APP)
        .setAgentId(OTHER_AGENT).setDeadline(START.plusSeconds(60)).setActor("alice").setAt(clock.instant()).build());
    assertThat(single(otherCommands.readValuesToList())).isInstanceOf(RemoveCommand.class);
    drain();
    otherAgentEvents.pipeInput(APP, removeResult("r1", true, null));
    assertThat(((ApplicationRemovalFinished) single(status.readValuesToList())).getRemoved()).isTrue();
    assertNothingMore();
  }

  @Test
  void shouldFinishRemovalOnResult() {
    deploy("c1", "d1");
    requests.pipeInput(APP, remove("r1", START.plusSeconds(60)));
    drain();

    agentEvents.pipeInput(APP, removeResult("r1", true, null));

    ApplicationRemovalFinished finished = (ApplicationRemovalFinished) single(status.readValuesToList());
    assertThat(finished.getRequestId()).isEqualTo("r1");
    assertThat(finished.getApplicationId()).isEqualTo(APP);
    assertThat(finished.getRemoved()).isTrue();
    assertThat(finished.getTimedOut()).isFalse();
    assertThat(finished.getError()).isNull();

    // Only a marker is left: nothing times out, and a late deploy request is ignored.
    advance(TIMEOUT.plusSeconds(1));
    requests.pipeInput(APP, request("c1", "d1", false).build());
    assertNothingMore();
  }

  @Test
  void shouldReportFailedRemoval() {
    requests.pipeInput(APP, remove("r1", START.plusSeconds(60)));
    drain();

    agentEvents.pipeInput(APP, removeResult("r1", false, "compose down failed"));

    ApplicationRemovalFinished finished = (ApplicationRemovalFinished) single(status.readValuesToList());
    assertThat(finished.getRemoved()).isFalse();
    assertThat(finished.getTimedOut()).isFalse();
    assertThat(finished.getError()).isEqualTo("compose down failed");
    advance(Duration.ofMinutes(2));
    assertNothingMore();
  }

  @Test
  void shouldTimeOutRemoval() {
    Instant deadline = START.plusSeconds(60);
    requests.pipeInput(APP, remove("r1", deadline));
    drain();

    advance(Duration.ofSeconds(59));
    assertThat(status.isEmpty()).isTrue();
    advance(Duration.ofSeconds(2));

    ApplicationRemovalFinished timedOut = (ApplicationRemovalFinished) single(status.readValuesToList());
    assertThat(timedOut.getRemoved()).isFalse();
    assertThat(timedOut.getTimedOut()).isTrue();
    assertThat(timedOut.getError()).isEqualTo("agent did not answer by " + deadline);

    agentEvents.pipeInput(APP, removeResult("r1", true, null));
    ApplicationRemovalFinished late = (ApplicationRemovalFinished) single(status.readValuesToList());
    assertThat(late.getRemoved()).isTrue();
    assertThat(late.getTimedOut()).as("timed out, then removed late").isTrue();
    assertThat(late.getError()).isEqualTo("removed after the removal had timed out at " + deadline);
    assertNothingMore();
  }

  @Test
  void shouldSkipPoisonRecords() {
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    driver.createInputTopic(topics.deployRequests().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput(APP, garbage);
    driver.createInputTopic(topics.agentReports().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput(APP, garbage);

    requests.pipeInput(APP, request("c1", "d1", true).build());

    assertThat(single(commands.readValuesToList())).isInstanceOf(DeployCommand.class);
    assertThat(status.readValuesToList()).hasSize(2);
    assertNothingMore();
  }

  @Test
  void shouldTakeNoResultWithoutTheAgentTheRelayNamed() {
    String deploymentId = deploy("c1", "d1");

    // Not how the relay writes: no agent header, then one without a value.
    input(topics.agentReports()).pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    input(topics.agentReports()).pipeInput(new TestRecord<>(APP, success(deploymentId, HealthStatus.HEALTHY),
        new RecordHeaders().add(Topics.AGENT_HEADER, null)));
    assertNothingMore();

    agentEvents.pipeInput(APP, success(deploymentId, HealthStatus.HEALTHY));
    DeploymentChanged done = (DeploymentChanged) status.readValuesToList().get(0);
    assertThat(done.getState()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void shouldIgnoreHealthReportsAndHeartbeats() {
    deploy("c1", "d1");

    agentEvents.pipeInput(APP, HealthReport.newBuilder().setApplicationId(APP).setHealth(HealthStatus.HEALTHY)
        .setAt(clock.instant()).build());
    agentEvents.pipeInput(AGENT, Heartbeat.newBuilder().setAgentId(AGENT).setDockerAvailable(true)
        .setAgentVersion("1").setIntervalSeconds(15).setAt(clock.instant()).build());

    assertNothingMore();
  }

  @Test
  void shouldSendNothingMoreToADeletedAgentAndSaySoOnStatus() {
    // The application moved from AGENT to OTHER_AGENT; AGENT failed its removal, so a retry is due in 30 s.
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT).build());
    RemoveCommand handover = (RemoveCommand) single(commands.readValuesToList());
    DeployCommand moved = (DeployCommand) single(otherCommands.readValuesToList());
    otherAgentEvents.pipeInput(APP, success(moved.getDeploymentId(), HealthStatus.HEALTHY));
    agentEvents.pipeInput(APP, removeResult(handover.getRequestId(), false, "docker engine unreachable"));
    drain();

    String key = topics.keyPerPartition(AGENT).get(0);
    requests.pipeInput(key, AgentRetired.newBuilder().setAgentId(AGENT).setAt(clock.instant()).build());

    AgentRetirementSeen seen = (AgentRetirementSeen) single(status.readValuesToList());
    assertThat(seen.getAgentId()).isEqualTo(AGENT);
    assertThat(seen.getPartitions()).isEqualTo(3);
    assertThat(stored().getHandoverRemovals()).as("the handover owed by the deleted agent").isEmpty();
    advance(Duration.ofHours(2));
    assertThat(commands.isEmpty()).as("no retry of the handover to the deleted agent").isTrue();
    assertNothingMore();

    // A deployment asked of it fails at once, and nothing reaches its topic.
    requests.pipeInput(APP, request("c2", "d2", true).setAgentId(AGENT).build());
    assertThat(commands.isEmpty()).as("the deleted agent's commands").isTrue();
    assertThat(status.readValuesToList()).filteredOn(DeploymentChanged.class::isInstance)
        .map(DeploymentChanged.class::cast)
        .anySatisfy(failed -> {
          assertThat(failed.getState()).isEqualTo(DeploymentState.FAILED);
          assertThat(failed.getError()).isEqualTo("agent agent-a was deleted");
        });

    // Told again (the gateway's outbox may repeat itself): it says so again, and nothing else.
    drain();
    requests.pipeInput(key, AgentRetired.newBuilder().setAgentId(AGENT).setAt(clock.instant()).build());
    assertThat(single(status.readValuesToList())).isInstanceOf(AgentRetirementSeen.class);
    assertNothingMore();
  }

  @Test
  void shouldEndARemovalInProgressOnAnAgentThatIsDeleted() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    requests.pipeInput(APP, remove("rm-1", clock.instant().plus(Duration.ofDays(30))));
    assertThat(single(commands.readValuesToList())).isInstanceOf(RemoveCommand.class);
    drain();

    requests.pipeInput(topics.keyPerPartition(AGENT).get(1),
        AgentRetired.newBuilder().setAgentId(AGENT).setAt(clock.instant()).build());

    List<SpecificRecord> events = status.readValuesToList();
    assertThat(events).hasSize(2);
    ApplicationRemovalFinished finished = (ApplicationRemovalFinished) events.get(0);
    assertThat(finished.getRequestId()).isEqualTo("rm-1");
    assertThat(finished.getRemoved()).isFalse();
    assertThat(finished.getError()).isEqualTo("agent agent-a was deleted before it removed the stack");
    assertThat(events.get(1)).isInstanceOf(AgentRetirementSeen.class);
    // Its deadline passes without a second ending.
    advance(Duration.ofDays(31));
    assertNothingMore();
  }

  @Test
  void shouldOweNoRemovalToADeletedAgentAnApplicationMovesOffFrom() {
    String first = deploy("c1", "d1");
    agentEvents.pipeInput(APP, success(first, HealthStatus.HEALTHY));
    requests.pipeInput(topics.keyPerPartition(AGENT).get(0),
        AgentRetired.newBuilder().setAgentId(AGENT).setAt(clock.instant()).build());
    drain();

    requests.pipeInput(APP, request("c1", "d1", false).setAgentId(OTHER_AGENT).build());

    assertThat(single(otherCommands.readValuesToList())).isInstanceOf(DeployCommand.class);
    assertThat(commands.isEmpty()).isTrue();
    assertThat(stored().getHandoverRemovals()).isEmpty();
  }

  @Test
  void shouldHoldAPinnedApplicationAtItsRollbackWhileSyncsOnlyRecordTheNewestCommit() {
    deploy("c1", "d1");
    deploy("c2", "d2");
    requests.pipeInput(APP, request("c1", "d1r", true).setReason(DeployReason.ROLLBACK).setDeploymentId("rb")
        .setActor("alice").build());
    DeployCommand rollback = (DeployCommand) single(commands.readValuesToList());
    assertThat(rollback.getDeploymentId()).isEqualTo("rb");
    assertThat(rollback.getCompose()).isEqualTo(compose("d1r"));
    drain();
    assertThat(stored().getPinnedCommit()).isEqualTo("c1");

    // A poll finds a new commit (changed compose file): recorded, not deployed; sync status untouched.
    requests.pipeInput(APP, request("c3", "d3", true).setCommitsBehind(2).build());
    ApplicationStatusChanged recorded = (ApplicationStatusChanged) single(status.readValuesToList());
    assertThat(recorded.getLatestCommit()).isEqualTo("c3");
    assertThat(recorded.getLatestCommitMessage()).isEqualTo("message of c3");
    assertThat(recorded.getCommitsBehind()).isEqualTo(2);
    assertThat(recorded.getSyncStatus()).isNull();
    assertThat(recorded.getCommit()).isNull();
    // An image update of a pinned application is held back too.
    requests.pipeInput(APP, request("c3", "d3", true).setReason(DeployReason.IMAGE_UPDATE).setDeploymentId("img")
        .setPullImages(true).build());
    assertThat(commands.isEmpty()).isTrue();
    drain();

    // A deploy asked for before the rollback and arriving after it (it went through sync-stream's
    // git work, the rollback did not) is held too: the rollback is the newer wish.
    requests.pipeInput(APP, request("c3", "d3", false).setReason(DeployReason.MANUAL).setDeploymentId("m").build());
    assertThat(commands.isEmpty()).isTrue();
    drain();

    // The gateway's PinReleased (an unpin, a deploy, a move) ends it; the deploy that follows deploys.
    requests.pipeInput(APP, PinReleased.newBuilder().setRequestId("u").setApplicationId(APP).setActor("alice")
        .setAt(clock.instant()).build());
    assertThat(stored().getPinnedCommit()).isNull();
    assertThat(status.isEmpty()).isTrue();
    requests.pipeInput(APP, request("c3", "d3", false).setReason(DeployReason.MANUAL).setDeploymentId("m2").build());
    assertThat(((DeployCommand) single(commands.readValuesToList())).getDeploymentId()).isEqualTo("m2");
    drain();
    requests.pipeInput(APP, request("c4", "d4", true).build());
    assertThat(commands.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldEndAPinOnlyWithItsReleaseEvenWhenTheApplicationMoves() {
    deploy("c1", "d1");
    requests.pipeInput(APP, request("c1", "d1", true).setReason(DeployReason.ROLLBACK).setDeploymentId("rb").build());
    drain();

    // A sync built from a configuration naming another agent: held while pinned.
    requests.pipeInput(APP, request("c2", "d2", true).setAgentId(OTHER_AGENT).build());
    assertThat(otherCommands.isEmpty()).isTrue();
    drain();

    requests.pipeInput(APP, PinReleased.newBuilder().setRequestId("u").setApplicationId(APP).setActor("alice")
        .setAt(clock.instant()).build());
    requests.pipeInput(APP, request("c2", "d2", true).setAgentId(OTHER_AGENT).setReason(DeployReason.MANUAL)
        .setDeploymentId("move").build());
    assertThat(otherCommands.readValuesToList()).hasSize(1);
    assertThat(stored().getPinnedCommit()).isNull();
  }

  @Test
  void shouldTakeARollbackSentTwiceOnce() {
    deploy("c1", "d1");
    deploy("c2", "d2");
    DeployRequested rollback = request("c1", "d1", true).setReason(DeployReason.ROLLBACK).setDeploymentId("rb").build();
    requests.pipeInput(APP, rollback);
    assertThat(commands.readValuesToList()).hasSize(1);
    drain();

    requests.pipeInput(APP, rollback);

    assertNothingMore();
    assertThat(stored().getPinnedCommit()).isEqualTo("c1");
  }

  @Test
  void shouldSayAPinnedApplicationIsNotBehindWhenTheBranchIsAtThePinnedCommit() {
    deploy("c1", "d1");
    requests.pipeInput(APP, request("c1", "d1", true).setReason(DeployReason.ROLLBACK).setDeploymentId("rb").build());
    drain();

    requests.pipeInput(APP, request("c1", "d1", false).build());

    ApplicationStatusChanged recorded = (ApplicationStatusChanged) single(status.readValuesToList());
    assertThat(recorded.getCommitsBehind()).isZero();
    assertThat(commands.isEmpty()).isTrue();
  }

  private dev.orca.dispatch.avro.ApplicationState stored() {
    return driver.<String, dev.orca.dispatch.avro.ApplicationState>getKeyValueStore(DispatchTopology.STATE_STORE)
        .get(APP);
  }

  private String deploy(String commit, String digest) {
    requests.pipeInput(APP, request(commit, digest, true).build());
    DeployCommand command = (DeployCommand) commands.readValuesToList().get(0);
    drain();
    return command.getDeploymentId();
  }

  private DeployRequested.Builder request(String commit, String digest, boolean composeChanged) {
    return DeployRequested.newBuilder()
        .setRequestId("req-" + commit)
        .setApplicationId(APP)
        .setAgentId(AGENT)
        .setReason(DeployReason.SYNC)
        .setCommit(commit)
        .setCommitMessage("message of " + commit)
        .setCompose(compose(digest))
        .setDigest(digest)
        .setComposeChanged(composeChanged)
        .setActor("sync-stream")
        .setAt(clock.instant());
  }

  private Heartbeat heartbeat(String agentId) {
    return Heartbeat.newBuilder().setAgentId(agentId).setDockerAvailable(true).setAgentVersion("1")
        .setIntervalSeconds(15).setAt(clock.instant()).build();
  }

  private static ByteBuffer utf8(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private RemoveRequested remove(String requestId, Instant deadline) {
    return RemoveRequested.newBuilder().setRequestId(requestId).setApplicationId(APP).setAgentId(AGENT)
        .setDeadline(deadline).setActor("alice").setAt(clock.instant()).build();
  }

  private DeployResult success(String deploymentId, HealthStatus health) {
    return DeployResult.newBuilder().setDeploymentId(deploymentId).setApplicationId(APP).setGeneration(1)
        .setSuccess(true).setHealth(health).setAt(clock.instant()).build();
  }

  private DeployResult failure(String deploymentId, FailureKind kind, String error) {
    return DeployResult.newBuilder().setDeploymentId(deploymentId).setApplicationId(APP).setGeneration(1)
        .setSuccess(false).setFailureKind(kind).setError(error).setHealth(HealthStatus.UNKNOWN)
        .setAt(clock.instant()).build();
  }

  private RemoveResult removeResult(String requestId, boolean success, String error) {
    return RemoveResult.newBuilder().setRequestId(requestId).setApplicationId(APP).setSuccess(success)
        .setError(error).setAt(clock.instant()).build();
  }

  private static String compose(String digest) {
    return "services:\n  web:\n    image: busybox # " + digest + "\n";
  }

  private void advance(Duration duration) {
    clock.advance(duration);
    driver.advanceWallClockTime(duration);
  }

  private void drain() {
    commands.readValuesToList();
    otherCommands.readValuesToList();
    status.readValuesToList();
  }

  private static SpecificRecord single(List<SpecificRecord> records) {
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private void assertNothingMore() {
    assertThat(commands.isEmpty()).as("agent commands").isTrue();
    assertThat(otherCommands.isEmpty()).as("other agent's commands").isTrue();
    assertThat(status.isEmpty()).as("status").isTrue();
  }

  /** An agent's reports as AgentReportRelay copies them: the agent named in a header. */
  private record Reports(TestInputTopic<String, SpecificRecord> topic, String agentId) {

    void pipeInput(String key, SpecificRecord value) {
      topic.pipeInput(new TestRecord<>(key, value, new RecordHeaders()
          .add(Topics.AGENT_HEADER, agentId.getBytes(StandardCharsets.UTF_8))));
    }
  }

  private TestInputTopic<String, SpecificRecord> input(Topic<String, SpecificRecord> topic) {
    return driver.createInputTopic(topic.name(), topic.keys().serializer(), topic.values().serializer(), START,
        Duration.ZERO);
  }

  private TestOutputTopic<String, SpecificRecord> output(Topic<String, SpecificRecord> topic) {
    return driver.createOutputTopic(topic.name(), topic.keys().deserializer(), topic.values().deserializer());
  }
}
