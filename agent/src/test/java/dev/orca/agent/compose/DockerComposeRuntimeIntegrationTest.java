package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.testsupport.DockerDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real runtime against the real Docker daemon and compose CLI of this host. */
class DockerComposeRuntimeIntegrationTest {

  static final String WEB = """
      services:
        web:
          image: orca-test/busybox:1
          command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
          stop_grace_period: 1s
      """;

  /** A stack that reads an env file and a mounted config, both beside its compose file. */
  static final String WITH_FILES = """
      services:
        web:
          image: orca-test/busybox:1
          command: ["sh", "-c", "cat /conf/app.conf; echo $$GREETING; sleep 3600"]
          stop_grace_period: 1s
          env_file: web.env
          volumes:
            - ./conf:/conf
      """;

  @TempDir Path deployments;
  private DockerComposeRuntime runtime;
  private String app;
  private String project;

  @BeforeEach
  void setUp() {
    DockerDaemon.require();
    app = "it-" + UUID.randomUUID().toString().substring(0, 8);
    project = app;
    runtime = new DockerComposeRuntime(deployments, "unix:///var/run/docker.sock");
  }

  @AfterEach
  void cleanUp() {
    if (runtime != null) {
      runtime.close();
      DockerCleanup.removeApplication(app, project);
    }
  }

  @Test
  void shouldRunTheStackWithLabelsAndWriteItsFilesPrivately() throws Exception {
    DeployOutcome outcome = runtime.deploy(app, project, WEB, Map.of(), "GREETING=hello\n", in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
    assertThat(outcome.health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(outcome.containers()).extracting(Container::service, Container::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web", "running"));
    String container = outcome.containers().get(0).name();
    assertThat(DockerCli.lines("docker", "inspect", "-f",
        "{{index .Config.Labels \"orca-cd.application-id\"}} {{index .Config.Labels \"managed_by\"}}", container))
        .containsExactly(app + " orca-cd");
    Path dir = deployments.resolve(app);
    assertThat(permissions(dir)).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("docker-compose.yml"))).isEqualTo("rw-------");
    assertThat(permissions(dir.resolve(".env"))).isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve(".env"))).isEqualTo("GREETING=hello\n");
    assertThat(runtime.observe()).hasValueSatisfying(all -> assertThat(all.get(app)).hasSize(1));
  }

  @Test
  void shouldGiveTheContainerTheEnvFileAndTheMountedConfigBesideTheComposeFile() throws Exception {
    Map<String, byte[]> files = Map.of("web.env", bytes("GREETING=hello from the env file\n"),
        "conf/app.conf", bytes("color=blue\n"));

    DeployOutcome outcome = runtime.deploy(app, project, WITH_FILES, files, null, in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
    String container = outcome.containers().get(0).name();
    assertThat(DockerCli.lines("docker", "exec", container, "cat", "/conf/app.conf")).containsExactly("color=blue");
    assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo $GREETING"))
        .containsExactly("hello from the env file");
    Path dir = deployments.resolve(app);
    assertThat(permissions(dir.resolve("web.env"))).isEqualTo("rw-------");
    assertThat(permissions(dir.resolve("conf"))).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("conf/app.conf"))).isEqualTo("rw-------");
    assertThat(Files.readAllLines(dir.resolve(DeploymentsDir.FILES_MANIFEST))).containsExactly("conf/app.conf",
        "web.env");
  }

  @Test
  void shouldReadTheRepositorysDotEnvWithTheApplicationsVariablesWinning() throws Exception {
    String compose = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
            environment:
              COLOR: ${COLOR}
              SIZE: ${SIZE}
        """;
    Map<String, byte[]> files = Map.of(".env", bytes("# from the repository\nCOLOR=blue\nSIZE=small"),
        "conf/app.conf", bytes("x\n"));

    DeployOutcome outcome = runtime.deploy(app, project, compose, files, "SIZE=large\n", in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
    String container = outcome.containers().get(0).name();
    assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo $COLOR $SIZE"))
        .containsExactly("blue large");
    Path dir = deployments.resolve(app);
    assertThat(permissions(dir.resolve(".env"))).isEqualTo("rw-------");
    assertThat(Files.readAllLines(dir.resolve(DeploymentsDir.FILES_MANIFEST))).as("the .env is not a carried file")
        .containsExactly("conf/app.conf");

    DeployOutcome without = runtime.deploy(app, project, compose, files, null, in(60));
    assertThat(without.success()).as(String.valueOf(without.error())).isTrue();
    assertThat(DockerCli.lines("docker", "exec", without.containers().get(0).name(), "sh", "-c", "echo $COLOR $SIZE"))
        .containsExactly("blue small");
  }

  @Test
  void shouldDeleteAFileTheNextDeploymentDropsButKeepWhatTheContainerWrote() throws Exception {
    Map<String, byte[]> first = Map.of("web.env", bytes("GREETING=first\n"), "conf/app.conf", bytes("color=blue\n"),
        "conf/extra.conf", bytes("dropped next\n"));
    DeployOutcome deployed = runtime.deploy(app, project, WITH_FILES, first, null, in(60));
    assertThat(deployed.success()).as(String.valueOf(deployed.error())).isTrue();
    DockerCli.lines("docker", "exec", deployed.containers().get(0).name(), "sh", "-c",
        "echo written by the container > /conf/runtime.state");
    Path dir = deployments.resolve(app);
    assertThat(dir.resolve("conf/runtime.state")).exists();

    Map<String, byte[]> second = Map.of("web.env", bytes("GREETING=second\n"), "conf/app.conf", bytes("color=green\n"));
    DeployOutcome redeployed = runtime.deploy(app, project, WITH_FILES, second, null, in(60));

    assertThat(redeployed.success()).as(String.valueOf(redeployed.error())).isTrue();
    assertThat(dir.resolve("conf/extra.conf")).doesNotExist();
    assertThat(dir.resolve("conf/runtime.state")).hasContent("written by the container");
    String container = redeployed.containers().get(0).name();
    assertThat(DockerCli.lines("docker", "exec", container, "cat", "/conf/app.conf")).containsExactly("color=green");
    assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo $GREETING")).containsExactly("second");
  }

  @Test
  void shouldRecreateOnlyTheServiceWhoseMountedConfigChanged() {
    String stack = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sh", "-c", "cat /etc/app.conf; sleep 3600"]
            stop_grace_period: 1s
            volumes:
              - ./conf/app.conf:/etc/app.conf:ro
          other:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """;
    DeployOutcome first = runtime.deploy(app, project, stack, Map.of("conf/app.conf", bytes("color=blue\n")),
        null, in(60));
    assertThat(first.success()).as(String.valueOf(first.error())).isTrue();
    String other = containerId("other");

    // Compose recreates a container only for a changed configuration; a file's content is not part of it.
    DeployOutcome second = runtime.deploy(app, project, stack, Map.of("conf/app.conf", bytes("color=green\n")),
        null, in(60));

    assertThat(second.success()).as(String.valueOf(second.error())).isTrue();
    String web = second.containers().stream().filter(c -> c.service().equals("web")).findFirst().orElseThrow().name();
    assertThat(DockerCli.lines("docker", "exec", web, "cat", "/etc/app.conf")).containsExactly("color=green");
    assertThat(containerId("other")).as("a service using no file keeps its container").isEqualTo(other);
  }

  @Test
  void shouldRefuseAFileAboveTheApplicationsDirectoryBeforeWritingAnything() {
    Map<String, byte[]> files = Map.of("web.env", bytes("GREETING=hello\n"), "conf/app.conf", bytes("x\n"),
        "conf/../../escaped.conf", bytes("outside\n"));

    DeployOutcome refused = runtime.deploy(app, project, WITH_FILES, files, null, in(60));

    assertThat(refused.success()).isFalse();
    assertThat(refused.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(refused.error()).isEqualTo("refused the application's files: 'conf/../../escaped.conf' leads above "
        + "the application's directory");
    assertThat(deployments.resolve(app)).doesNotExist();
    assertThat(deployments.resolve("escaped.conf")).doesNotExist();
    assertThat(containers()).isEmpty();
  }

  @Test
  void shouldInterpolateTheEnvironmentFromItsPrivateDotEnvBesideTheComposeFile() throws Exception {
    String greets = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            environment:
              GREETING: ${GREETING}
              TOKEN: ${TOKEN}
        """;

    DeployOutcome outcome = runtime.deploy(app, project, greets, Map.of(), "GREETING=hello from orca\nTOKEN=t0k=en\n", in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
    String container = outcome.containers().get(0).name();
    assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo \"$GREETING\"")).containsExactly("hello from orca");
    assertThat(DockerCli.lines("docker", "exec", container, "sh", "-c", "echo \"$TOKEN\"")).containsExactly("t0k=en");
    Path dotEnv = deployments.resolve(app).resolve(".env");
    assertThat(permissions(dotEnv)).isEqualTo("rw-------");
    assertThat(Files.readString(dotEnv)).isEqualTo("GREETING=hello from orca\nTOKEN=t0k=en\n");
  }

  @Test
  void shouldRefuseAnEnvironmentThatIsNotNameValueLinesWithoutWritingOrShowingIt() {
    DeployOutcome outcome = runtime.deploy(app, project, WEB, Map.of(), "GOOD=1\nnot a variable secret-value\n", in(60));

    assertThat(outcome.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(outcome.error())
        .isEqualTo("line 2 of the application's environment is not NAME=value with a valid variable name")
        .doesNotContain("secret-value");
    assertThat(deployments.resolve(app)).doesNotExist();
  }

  @Test
  void shouldObserveOnlyItsOwnApplicationsWhenAnotherAgentSharesTheHost(@TempDir Path otherDeployments) {
    assertThat(runtime.deploy(app, project, WEB, Map.of(), null, in(60)).success()).isTrue();

    try (DockerComposeRuntime other = new DockerComposeRuntime(otherDeployments, "unix:///var/run/docker.sock")) {
      assertThat(other.observe()).hasValueSatisfying(all -> assertThat(all).doesNotContainKey(app));
    }
    assertThat(runtime.observe()).hasValueSatisfying(all -> assertThat(all.get(app)).hasSize(1));
  }

  @Test
  void shouldReplaceTheStackAndRemoveOrphansOnRedeploy() {
    assertThat(runtime.deploy(app, project, WEB, Map.of(), "GREETING=hello\n", in(60)).success()).isTrue();
    assertThat(deployments.resolve(app).resolve(".env")).exists();
    String changed = """
        services:
          api:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8081", "-h", "/www"]
            stop_grace_period: 1s
            labels:
              - team=core
            healthcheck:
              test: ["CMD", "true"]
              interval: 1s
              timeout: 2s
              retries: 3
        """;

    DeployOutcome outcome = runtime.deploy(app, project, changed, Map.of(), null, in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
    assertThat(outcome.containers()).extracting(Container::service, Container::health)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("api", "healthy"));
    assertThat(DockerCli.lines("docker", "inspect", "-f", "{{index .Config.Labels \"team\"}}",
        outcome.containers().get(0).name())).containsExactly("core");
    assertThat(Files.exists(deployments.resolve(app).resolve(".env"))).isFalse();
  }

  @Test
  void shouldRefuseAPrivilegedStackOrAHostMountBeforeAnythingRuns() {
    String privileged = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            privileged: true
            volumes:
              - /etc:/host-etc
        """;

    DeployOutcome refused = runtime.deploy(app, project, privileged, Map.of(), null, in(60));

    assertThat(refused.success()).isFalse();
    assertThat(refused.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(refused.error()).isEqualTo("refused by the agent's policy: service 'web' asks for privileged mode "
        + "(rule: privileged); service 'web' mounts /etc from the host, outside the application's directory "
        + "(rule: host-mounts)");
    assertThat(DockerCli.lines("docker", "ps", "-a", "--filter", "label=com.docker.compose.project=" + project,
        "--format", "{{.Names}}")).as("nothing ran").isEmpty();
    assertThat(deployments.resolve(app).resolve(DeploymentsDir.COMPOSE_FILE)).doesNotExist();
  }

  @Test
  void shouldJudgeWhatVariablesNameAsComposeResolvesThemBeforeAnythingRuns() {
    // The repository's .env and the application's variables fill in what the policy judges.
    String hidden = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            privileged: ${PRIVILEGED:-false}
            volumes:
              - ${HOST_DIR}:/host
        """;
    Map<String, byte[]> files = Map.of(".env", bytes("HOST_DIR=/etc\n"));

    DeployOutcome refused = runtime.deploy(app, project, hidden, files, "PRIVILEGED=true\n", in(60));

    assertThat(refused.success()).isFalse();
    assertThat(refused.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(refused.error()).startsWith("refused by the agent's policy: service 'web' asks for privileged mode "
        + "(rule: privileged); service 'web' mounts /etc from the host, outside the application's directory "
        + "(rule: host-mounts)").endsWith("(as resolved from variables)");
    assertThat(DockerCli.lines("docker", "ps", "-a", "--filter", "label=com.docker.compose.project=" + project,
        "--format", "{{.Names}}")).as("nothing ran").isEmpty();

    // Without the variable that asks for privileged mode (this sandbox cannot run one), and with
    // the host mount allowed by an admin, the same file runs.
    DeployOutcome allowed = runtime.deploy(app, project, hidden, files, null, in(60),
        new DeployOptions(java.util.Set.of("host-mounts"), null));
    assertThat(allowed.success()).as("an admin allowed host mounts: " + allowed.error()).isTrue();
    assertThat(DockerCli.lines("docker", "exec", allowed.containers().get(0).name(), "ls", "/host/hostname"))
        .containsExactly("/host/hostname");
  }

  @Test
  void shouldRunAStackWhoseVariablesResolveInsideItsDirectory() {
    String inside = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
            privileged: ${PRIVILEGED:-false}
            volumes:
              - ${DATA:-./data}:/data
        """;

    DeployOutcome outcome = runtime.deploy(app, project, inside, Map.of(), null, in(60));

    assertThat(outcome.success()).as(String.valueOf(outcome.error())).isTrue();
  }

  @Test
  void shouldFailAsComposeWhenTheImageDoesNotExist() {
    String broken = WEB.replace("orca-test/busybox:1", "orca-test/does-not-exist:1");

    DeployOutcome outcome = runtime.deploy(app, project, broken, Map.of(), null, in(60));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(outcome.error()).startsWith("docker compose up failed").contains("does-not-exist");
  }

  @Test
  void shouldFailAsComposeWhenTheFileIsNotACompose() {
    DeployOutcome invalid = runtime.deploy(app, project, "services: [unclosed", Map.of(), null, in(60));
    DeployOutcome noServices = runtime.deploy(app, project, "volumes: {}\n", Map.of(), null, in(60));

    assertThat(invalid.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(invalid.error()).startsWith("compose file is not valid YAML");
    assertThat(noServices.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(noServices.error()).isEqualTo("compose file has no 'services' mapping");
  }

  @Test
  void shouldFailAsSoonAsAContainerExitsWithItsExitCodeAndLastLogLines() {
    String exits = """
        services:
          job:
            image: orca-test/busybox:1
            command: ["sh", "-c", "echo cannot reach the database; exit 3"]
        """;

    // A deadline far away: failing fast says so in its message, a timeout would say "by deadline".
    DeployOutcome outcome = runtime.deploy(app, project, exits, Map.of(), null, in(600));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(outcome.error()).isEqualTo("service 'job' exited with code 3; last log lines: cannot reach the database");
    assertThat(outcome.health()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void shouldFailAsSoonAsAHealthcheckSaysUnhealthy() {
    String sick = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sh", "-c", "echo serving; exec httpd -f -p 8080 -h /www"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD", "false"]
              interval: 1s
              timeout: 1s
              retries: 1
        """;

    DeployOutcome outcome = runtime.deploy(app, project, sick, Map.of(), null, in(600));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.error()).isEqualTo("service 'web' is unhealthy; last log lines: serving");
    assertThat(outcome.health()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void shouldFailAtTheDeadlineWhenAContainerIsStillStarting() {
    String slow = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD", "false"]
              interval: 60s
              start_period: 60s
        """;

    DeployOutcome outcome = runtime.deploy(app, project, slow, Map.of(), null, in(8));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.error()).startsWith("containers not ready by deadline: web (running, starting)");
    assertThat(outcome.health()).as("after a failed deployment nothing is progressing").isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void shouldStopWaitingForReadinessWhenToldWhyLongBeforeTheDeadline() throws Exception {
    String slow = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD", "true"]
              interval: 1h
              start_period: 1h
        """;
    CompletableFuture<DeployOutcome> deploying =
        CompletableFuture.supplyAsync(() -> runtime.deploy(app, project, slow, Map.of(), null, in(3600)));
    await().atMost(Duration.ofMinutes(1)).until(() -> !containers().isEmpty());

    runtime.stopWaiting(app, "the application is being removed");
    DeployOutcome outcome = deploying.get(1, TimeUnit.MINUTES);

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.error())
        .isEqualTo("stopped waiting for readiness (the application is being removed): web (running, starting)");
    assertThat(outcome.health()).as("after a failed deployment nothing is progressing").isEqualTo(HealthStatus.UNHEALTHY);
    // The reason holds until cleared, as the agent does before it starts the next deploy.
    runtime.clearStopWaiting(app);
    assertThat(runtime.deploy(app, project, WEB, Map.of(), null, in(60)).success()).isTrue();
  }

  @TempDir Path hostDir;

  @Test
  void shouldFailAtTheApplicationsReadinessTimeoutLongBeforeTheDeadline() {
    String slow = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD", "false"]
              interval: 60s
              start_period: 60s
        """;

    DeployOutcome outcome = runtime.deploy(app, project, slow, Map.of(), null, in(600),
        new DeployOptions(java.util.Set.of(), java.time.Duration.ofSeconds(3)));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.error()).startsWith(
        "containers not ready within the application's readiness timeout of 3 s: web (running, starting)");
    assertThat(outcome.health()).as("after a failed deployment nothing is progressing").isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void shouldRunAStackWithAHostMountWhenAnAdminAllowedTheRuleForTheApplication() throws Exception {
    Path hostFile = Files.writeString(hostDir.resolve("shared.txt"), "from the host\n");
    String mounting = """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            volumes: ["%s:/shared.txt:ro"]
        """.formatted(hostFile);

    DeployOutcome refused = runtime.deploy(app, project, mounting, Map.of(), null, in(60));
    DeployOutcome allowed = runtime.deploy(app, project, mounting, Map.of(), null, in(60),
        new DeployOptions(java.util.Set.of("host-mounts"), null));

    assertThat(refused.error()).contains("(rule: host-mounts)");
    assertThat(allowed.success()).as(allowed.error()).isTrue();
    assertThat(DockerCli.lines("docker", "exec", allowed.containers().get(0).name(), "cat", "/shared.txt"))
        .containsExactly("from the host");
  }

  @Test
  void shouldRemoveTheStackAndItsDirectoryAndSucceedAgain() {
    assertThat(runtime.deploy(app, project, WEB, Map.of(), null, in(60)).success()).isTrue();

    assertThat(runtime.remove(app, project, in(60))).isEqualTo(RemoveOutcome.removed());

    assertThat(containers()).isEmpty();
    assertThat(deployments.resolve(app)).doesNotExist();
    assertThat(runtime.remove(app, project, in(60))).isEqualTo(RemoveOutcome.removed());
  }

  @Test
  void shouldFailARemovalWhoseDeadlineHasPassedWithoutTouchingTheStack() {
    assertThat(runtime.deploy(app, project, WEB, Map.of(), null, in(60)).success()).isTrue();

    RemoveOutcome outcome = runtime.remove(app, project, in(-1));

    assertThat(outcome).isEqualTo(RemoveOutcome.failed("removal did not finish by its deadline: nothing was removed"));
    assertThat(containers()).hasSize(1);
    assertThat(deployments.resolve(app).resolve("docker-compose.yml")).exists();
  }

  @Test
  void shouldFailTheRemovalAndKeepTheDirectoryWhenComposeDownRunsPastTheDeadline() {
    // PID 1 ignores SIGTERM, so compose down waits the whole grace period before killing it.
    String stubborn = """
        services:
          worker:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 30s
        """;
    assertThat(runtime.deploy(app, project, stubborn, Map.of(), null, in(60)).success()).isTrue();

    RemoveOutcome outcome = runtime.remove(app, project, in(3));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.error()).startsWith("removal did not finish by its deadline: docker compose down was stopped"
        + " at the deadline").contains("stays removed");
    assertThat(deployments.resolve(app).resolve("docker-compose.yml")).exists();
  }

  @Test
  void shouldRemoveContainersByLabelWhenTheComposeFileIsGone() {
    assertThat(runtime.deploy(app, project, WEB, Map.of(), null, in(60)).success()).isTrue();
    new DeploymentsDir(deployments).deleteApplication(app);
    assertThat(containers()).hasSize(1);

    assertThat(runtime.remove(app, project, in(60)).success()).isTrue();

    assertThat(containers()).isEmpty();
    assertThat(DockerCli.lines("docker", "network", "ls", "-q", "--filter", "name=" + project + "_default")).isEmpty();
  }

  @Test
  void shouldReportTheVersionOfTheComposeCliItUses() {
    EngineStatus status = runtime.status();

    assertThat(status.composeCommand()).isIn("docker compose", "docker-compose");
    assertThat(status.composeVersion()).isEqualTo(DockerCli.composeVersion(status.composeCommand()));
    assertThat(runtime.status().composeVersion()).isEqualTo(status.composeVersion());
  }

  @Test
  void shouldReportMissingForDeployedApplicationsWithoutContainers() {
    new DeploymentsDir(deployments).writeSecret(app, DeploymentsDir.COMPOSE_FILE, WEB);

    assertThat(runtime.observe()).hasValueSatisfying(all -> assertThat(all.get(app)).isEmpty());
  }

  private String containerId(String service) {
    return DockerCli.lines("docker", "ps", "-q", "--filter", "label=orca-cd.application-id=" + app, "--filter",
        "label=com.docker.compose.service=" + service).get(0);
  }

  private List<String> containers() {
    return DockerCli.lines("docker", "ps", "-aq", "--filter", "label=orca-cd.application-id=" + app);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Instant in(long seconds) {
    return Instant.now().plus(Duration.ofSeconds(seconds));
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
