package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.agent.compose.DockerCleanup;
import dev.orca.agent.compose.DockerCli;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.crypto.EnvironmentCipher;
import dev.orca.testsupport.DockerDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real agent end to end: real broker, real Docker daemon, real compose CLI. */
class AgentIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String COMPOSE = """
      services:
        web:
          image: orca-test/busybox:1
          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
          stop_grace_period: 1s
      """;

  /** Takes GREETING from the .env beside it. */
  private static final String GREETS = COMPOSE + "    environment:\n      GREETING: ${GREETING}\n";

  /** Its healthcheck never runs within the test, so the container stays "starting". */
  private static final String NEVER_READY = """
      services:
        web:
          image: orca-test/busybox:1
          command: ["sleep", "3600"]
          stop_grace_period: 1s
          healthcheck:
            test: ["CMD", "false"]
            interval: 1h
            start_period: 1h
      """;

  @TempDir Path deployments;
  private final String app = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
  private final String starting = "e2e-starting-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void cleanUp() {
    DockerCleanup.removeApplication(app, app);
    DockerCleanup.removeApplication(starting, starting);
  }

  /** The real agent on this host's daemon, heartbeating every 2 s and observing at {@code healthInterval}. */
  private Agent startAgent(AgentTopics kafka, Duration healthInterval) {
    return Agent.start(new AgentSettings(kafka.bootstrap(), kafka.topics, kafka.agentId, deployments,
        "unix:///var/run/docker.sock", Duration.ofSeconds(2), healthInterval, "test"));
  }

  /** The one container Docker runs for the application. */
  private static String containerOf(String application) {
    return DockerCli.lines("docker", "ps", "-q", "--filter", "label=orca-cd.application-id=" + application).get(0);
  }

  @Test
  void shouldWriteTheEnvironmentSealedForItAsAPrivateDotEnvAndRefuseOneSealedWithAnotherKey() throws Exception {
    DockerDaemon.require();
    byte[] key = EnvironmentCipher.newKey();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = Agent.start(new AgentSettings(kafka.bootstrap(), kafka.topics, kafka.agentId, deployments,
            "unix:///var/run/docker.sock", Duration.ofSeconds(2), Duration.ofSeconds(5), "test",
            AgentSettings.DEFAULT_CONCURRENCY, key))) {
      kafka.send(app, AgentCommandsIntegrationTest.withEnvironment(AgentCommandsIntegrationTest.deploy("d1", app, 1,
          GREETS, AgentCommandsIntegrationTest.inMinutes(2)), key, app, "GREETING=hello from the vault\n"));

      DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);

      assertThat(deployed.getSuccess()).as(deployed.getError()).isTrue();
      String container = deployed.getContainers().get(0).getName();
      assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo \"$GREETING\""))
          .containsExactly("hello from the vault");
      Path dotEnv = deployments.resolve(app).resolve(".env");
      Path compose = deployments.resolve(app).resolve("docker-compose.yml");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dotEnv))).isEqualTo("rw-------");
      assertThat(Files.readString(dotEnv)).isEqualTo("GREETING=hello from the vault\n");
      String composeBefore = Files.readString(compose);

      // Another agent's key: refused before anything is written or run, the running stack untouched.
      kafka.send(app, AgentCommandsIntegrationTest.withEnvironment(AgentCommandsIntegrationTest.deploy("d2", app, 2,
          COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)), EnvironmentCipher.newKey(), app, "GREETING=other\n"));
      kafka.send(starting, AgentCommandsIntegrationTest.withEnvironment(AgentCommandsIntegrationTest.deploy("d3",
          starting, 1, COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)), EnvironmentCipher.newKey(), starting,
          "GREETING=other\n"));

      for (String refused : java.util.List.of("d2", "d3")) {
        DeployResult result = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals(refused), WAIT);
        assertThat(result.getSuccess()).isFalse();
        assertThat(result.getFailureKind()).isEqualTo(FailureKind.COMPOSE);
        assertThat(result.getError()).startsWith("cannot decrypt the application's environment: ");
      }
      assertThat(Files.readString(dotEnv)).isEqualTo("GREETING=hello from the vault\n");
      assertThat(Files.readString(compose)).isEqualTo(composeBefore);
      // Only the agent's own note that it handled the deployment; no compose file, no .env.
      assertThat(deployments.resolve(starting).resolve("docker-compose.yml")).doesNotExist();
      assertThat(deployments.resolve(starting).resolve(".env")).doesNotExist();
      assertThat(DockerCli.lines("docker", "ps", "-q", "--filter", "label=orca-cd.application-id=" + app))
          .containsExactly(DockerCli.lines("docker", "inspect", "-f", "{{.Id}}", container).get(0).substring(0, 12));
    }
  }

  @Test
  void shouldReportAContainerKilledByHandFromTheEngineEventsWithoutWaitingForTheNextRound() {
    DockerDaemon.require();
    // Periodic rounds every hour: only the engine's event stream can report the kill in time.
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofHours(1))) {
      kafka.send(app, AgentCommandsIntegrationTest.deploy("d1", app, 1, COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)));
      DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
      assertThat(deployed.getSuccess()).as(deployed.getError()).isTrue();
      kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app) && r.getHealth() == HealthStatus.HEALTHY,
          WAIT);

      String container = containerOf(app);
      DockerCli.lines("docker", "kill", container);

      HealthReport killed = kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app)
          && r.getHealth() == HealthStatus.UNHEALTHY, Duration.ofSeconds(20));
      assertThat(killed.getContainers()).extracting(c -> c.getState()).containsExactly("exited");
    }
  }

  @Test
  void shouldReportDriftWhenAContainerIsRemovedByHand() {
    DockerDaemon.require();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofHours(1))) {
      kafka.send(app, AgentCommandsIntegrationTest.deploy("d1", app, 1, COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)));
      DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
      assertThat(deployed.getSuccess()).as(deployed.getError()).isTrue();

      String container = containerOf(app);
      DockerCli.lines("docker", "rm", "-f", container);

      // While docker removes it, the container may show as "removing" first.
      HealthReport drifted = kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app)
          && "service 'web': container removed".equals(r.getDrift()), Duration.ofSeconds(20));
      assertThat(drifted.getHealth()).isEqualTo(HealthStatus.MISSING);
      // Without self-heal the stack stays as it was left.
      assertThat(DockerCli.lines("docker", "ps", "-aq", "--filter", "label=orca-cd.application-id=" + app)).isEmpty();
    }
  }

  @Test
  void shouldRunAKilledContainerAgainWhenTheApplicationAsksForSelfHeal() {
    DockerDaemon.require();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofHours(1))) {
      kafka.send(app, DeployCommand.newBuilder(
          AgentCommandsIntegrationTest.deploy("d1", app, 1, COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)))
          .setSettings(DeploySettings.newBuilder().setSelfHeal(true).build()).build());
      DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
      assertThat(deployed.getSuccess()).as(deployed.getError()).isTrue();

      String container = containerOf(app);
      DockerCli.lines("docker", "kill", container);

      HealthReport killed = kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app)
          && r.getHealth() == HealthStatus.UNHEALTHY, Duration.ofSeconds(20));
      assertThat(killed.getDrift()).isEqualTo("service 'web': stopped (exited)");
      HealthReport healed = kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app)
          && r.getAt().isAfter(killed.getAt()) && r.getHealth() == HealthStatus.HEALTHY, WAIT);
      assertThat(healed.getDrift()).isNull();
      assertThat(DockerCli.lines("docker", "ps", "-q", "--filter", "label=orca-cd.application-id=" + app,
          "--filter", "status=running")).hasSize(1);
    }
  }

  @Test
  void shouldDeployAHealthyStackWhileAnotherIsStillStarting() {
    DockerDaemon.require();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofSeconds(5))) {
      kafka.send(starting, AgentCommandsIntegrationTest.deploy("d-starting", starting, 1, NEVER_READY,
          AgentCommandsIntegrationTest.inMinutes(5)));
      kafka.send(app, AgentCommandsIntegrationTest.deploy("d-healthy", app, 1, COMPOSE,
          AgentCommandsIntegrationTest.inMinutes(5)));

      DeployResult healthy = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d-healthy"), WAIT);

      assertThat(healthy.getSuccess()).as(healthy.getError()).isTrue();
      // The stack still starting holds its own application only; it has no result yet.
      assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId)
          .containsExactly("d-healthy");
      assertThat(DockerCli.lines("docker", "ps", "-q", "--filter", "label=orca-cd.application-id=" + starting,
          "--filter", "health=starting")).hasSize(1);
    }
  }

  /**
   * The agent as its own process, killed (SIGKILL) while its deploy waits for readiness, then
   * started again: the deploy is redelivered, finds the stack as it left it, and reports once;
   * the container it had started is not replaced.
   */
  @Test
  void shouldConvergeWithoutApplyingTwiceWhenKilledMidDeployAndStartedAgain() throws Exception {
    DockerDaemon.require();
    // Healthy at its first check, 12 s after start: the kill lands while the agent waits for it.
    String readyLater = COMPOSE + """
            healthcheck:
              test: ["CMD", "true"]
              interval: 12s
        """;
    try (AgentTopics kafka = new AgentTopics()) {
      Process first = agentProcess(kafka, "first");
      try {
        kafka.send(app, AgentCommandsIntegrationTest.deploy("d1", app, 1, readyLater,
            AgentCommandsIntegrationTest.inMinutes(5)));
        await().atMost(WAIT).until(() -> !DockerCli.lines("docker", "ps", "-q", "--filter",
            "label=orca-cd.application-id=" + app, "--filter", "health=starting").isEmpty());
      } finally {
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      String container = containerOf(app);
      assertThat(kafka.events(DeployResult.class)).as("killed before the stack was ready").isEmpty();

      Process second = agentProcess(kafka, "second");
      try {
        DeployResult result = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
        assertThat(result.getSuccess()).as(result.getError()).isTrue();
        assertThat(containerOf(app)).as("the container the killed agent started").isEqualTo(container);
        // A static member (its group id as instance id): it took the killed one's place at once.
        String group = kafka.topics.prefix() + "agent-" + kafka.agentId;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
          assertThat(admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members())
              .extracting(member -> member.groupInstanceId().orElse(null)).containsExactly(group);
        }
        // Once: the offset was committed after the result, so nothing is redelivered again.
        kafka.send(app, AgentCommandsIntegrationTest.remove("r1", app, AgentCommandsIntegrationTest.inMinutes(2)));
        kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);
        assertThat(kafka.events(DeployResult.class)).extracting(DeployResult::getDeploymentId).containsExactly("d1");
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shouldKeepSayingUnhealthyAfterADeploymentFailedWithAContainerStillStarting() {
    DockerDaemon.require();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofMillis(500))) {
      DeployCommand deploy = AgentCommandsIntegrationTest.deploy("d1", app, 1, NEVER_READY,
          AgentCommandsIntegrationTest.inMinutes(5));
      deploy.setSettings(DeploySettings.newBuilder().setReadinessTimeoutSeconds(2).build());
      kafka.send(app, deploy);

      DeployResult failed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
      assertThat(failed.getSuccess()).isFalse();
      assertThat(failed.getHealth()).isEqualTo(HealthStatus.UNHEALTHY);
      // Full reports come every few rounds; each one after the command ended agrees with the result.
      await().atMost(WAIT).until(() -> agent.queuedCommands() == 0);
      int before = reportsOf(kafka, app).size();
      await().atMost(WAIT).until(() -> reportsOf(kafka, app).size() >= before + 2);
      List<HealthReport> after = reportsOf(kafka, app);
      assertThat(after.subList(before, after.size()))
          .allSatisfy(r -> assertThat(r.getHealth()).isEqualTo(HealthStatus.UNHEALTHY));
    }
  }

  private static List<HealthReport> reportsOf(AgentTopics kafka, String application) {
    return kafka.events(HealthReport.class).stream().filter(r -> r.getApplicationId().equals(application)).toList();
  }

  /** {@code dev.orca.agent.Agent} in a JVM of its own, configured by environment like a real one. */
  private Process agentProcess(AgentTopics kafka, String name) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Agent.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "killed-agent-" + name + ".log").toFile());
    builder.environment().putAll(Map.of(
        "ORCA_KAFKA_BOOTSTRAP", kafka.bootstrap(),
        "ORCA_TOPIC_PREFIX", kafka.topics.prefix(),
        "ORCA_TOPIC_PARTITIONS", Integer.toString(kafka.topics.partitions()),
        "ORCA_AGENT_ID", kafka.agentId,
        "ORCA_AGENT_DEPLOYMENTS_DIR", deployments.toString(),
        "ORCA_AGENT_HEARTBEAT_SECONDS", "2"));
    return builder.start();
  }

  @Test
  void shouldDeployReportHealthAndRemoveAStackFromItsCommandsTopic() {
    DockerDaemon.require();
    try (AgentTopics kafka = new AgentTopics();
        Agent agent = startAgent(kafka, Duration.ofMillis(500))) {
      kafka.send(app, AgentCommandsIntegrationTest.deploy("d1", app, 1, COMPOSE, AgentCommandsIntegrationTest.inMinutes(2)));

      DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d1"), WAIT);
      HealthReport healthy = kafka.await(HealthReport.class, r -> r.getApplicationId().equals(app)
          && r.getHealth() == HealthStatus.HEALTHY, WAIT);
      Heartbeat heartbeat = kafka.await(Heartbeat.class, h -> true, WAIT);

      assertThat(deployed.getSuccess()).as(deployed.getError()).isTrue();
      assertThat(deployed.getHealth()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(healthy.getContainers()).extracting(c -> c.getService()).containsExactly("web");
      assertThat(heartbeat.getDockerAvailable()).isTrue();
      assertThat(heartbeat.getComposeCommand()).isNotBlank();
      assertThat(heartbeat.getComposeVersion()).isEqualTo(DockerCli.composeVersion(heartbeat.getComposeCommand()));
      assertThat(agent.dockerAvailable()).isTrue();

      kafka.send(app, AgentCommandsIntegrationTest.remove("r1", app, AgentCommandsIntegrationTest.inMinutes(2)));

      RemoveResult removed = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r1"), WAIT);
      assertThat(removed.getSuccess()).as(removed.getError()).isTrue();
      assertThat(DockerCli.lines("docker", "ps", "-aq", "--filter", "label=orca-cd.application-id=" + app)).isEmpty();
      assertThat(deployments.resolve(app)).doesNotExist();

      // What it wrote, counted in its metrics; its command consumer's meters too.
      assertThat(agent.metrics().scrape())
          .contains("orca_agent_deployments_total{component=\"agent\",failure_kind=\"none\",outcome=\"success\"} 1.0")
          .contains("orca_agent_removals_total{component=\"agent\",outcome=\"success\"} 1.0")
          .containsPattern("orca_agent_heartbeats_total\\{component=\"agent\"} [1-9]")
          .contains("orca_agent_applications{component=\"agent\",health=\"healthy\"} 0.0")
          .contains("kafka_consumer_fetch_manager_records_lag_max");
    }
  }
}
