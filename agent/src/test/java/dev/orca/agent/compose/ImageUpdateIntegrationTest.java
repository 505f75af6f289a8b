package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.FailureKind;
import dev.orca.testsupport.DockerDaemon;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image updates on the real daemon. No registry is reachable here, so a new image arrives the
 * way a locally built or re-tagged one does: the tag is moved to another image on the host, and
 * the pull leaves it so. The tags name a registry on a loopback port nothing listens on, so every
 * pull fails at once, whatever network the machine has.
 */
class ImageUpdateIntegrationTest {

  @TempDir Path deployments;
  private DockerComposeRuntime runtime;
  private String app;
  private String tag;

  @BeforeEach
  void setUp() {
    DockerDaemon.require();
    app = "img-" + UUID.randomUUID().toString().substring(0, 8);
    tag = "127.0.0.1:1/orca-it/" + app + ":latest";
    runtime = new DockerComposeRuntime(deployments, "unix:///var/run/docker.sock");
  }

  @AfterEach
  void cleanUp() {
    if (runtime != null) {
      runtime.close();
      DockerCleanup.removeApplication(app, app);
      for (String image : DockerCli.linesOrEmpty("docker", "images", "-q", "--filter", "label=orca.it.app=" + app)) {
        DockerCli.linesOrEmpty("docker", "rmi", "-f", image);
      }
    }
  }

  @Test
  void shouldFindTheNewImageThenRecreateItsServiceAloneAndRemoveTheImageItReplaced() {
    String v1 = build("1");
    String compose = """
        services:
          web:
            image: %s
            command: ["sleep", "3600"]
            stop_grace_period: 1s
          db:
            image: orca-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """.formatted(tag);
    DeployOutcome deployed = runtime.deploy(app, app, compose, Map.of(), null, in(60));
    assertThat(deployed.success()).as(String.valueOf(deployed.error())).isTrue();
    String db = containerOf("db");
    assertThat(imageOf(containerOf("web"))).isEqualTo(v1);
    assertThat(runtime.imageUpdates(app, app, in(60))).hasValue(List.of());

    String v2 = build("2");

    assertThat(runtime.imageUpdates(app, app, in(60))).hasValueSatisfying(updates -> assertThat(updates)
        .containsExactly("web: " + tag + " " + v1.substring(7, 19) + " → " + v2.substring(7, 19)));
    // The container still runs what was deployed: a tag that moved on is no drift.
    assertThat(Drift.between(Drift.baseline(deployed.containers()), runtime.observe().orElseThrow().get(app))).isEmpty();

    DeployOutcome updated = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        DeployOptions.NONE.pullingImages(true));

    assertThat(updated.success()).as(String.valueOf(updated.error())).isTrue();
    assertThat(imageOf(containerOf("web"))).isEqualTo(v2);
    assertThat(containerOf("db")).as("the service whose image did not change keeps its container").isEqualTo(db);
    assertThat(DockerCli.linesOrEmpty("docker", "image", "inspect", v1)).as("the superseded image is removed").isEmpty();
    assertThat(runtime.imageUpdates(app, app, in(60))).hasValue(List.of());
  }

  @Test
  void shouldKeepTheSupersededImageUnlessAsked() {
    String v1 = build("1");
    String compose = webOnly();
    assertThat(runtime.deploy(app, app, compose, Map.of(), null, in(60)).success()).isTrue();
    build("2");

    DeployOutcome updated = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        new DeployOptions(java.util.Set.of(), null, true, false));

    assertThat(updated.success()).as(String.valueOf(updated.error())).isTrue();
    assertThat(DockerCli.lines("docker", "image", "inspect", "-f", "{{.Id}}", v1)).containsExactly(v1);
  }

  @Test
  void shouldFailAnImageUpdateWhosePullFailedAndChangedNothingAndLeaveTheStackRunning() {
    build("1");
    String compose = webOnly();
    assertThat(runtime.deploy(app, app, compose, Map.of(), null, in(60)).success()).isTrue();
    String web = containerOf("web");

    DeployOutcome updated = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        DeployOptions.NONE.pullingImages(true));

    assertThat(updated.success()).isFalse();
    assertThat(updated.failureKind()).isEqualTo(FailureKind.COMPOSE);
    assertThat(updated.error()).startsWith("no image changed: docker compose pull failed");
    assertThat(containerOf("web")).isEqualTo(web);
    assertThat(DockerCli.lines("docker", "inspect", "-f", "{{.State.Status}}", web)).containsExactly("running");
  }

  @Test
  void shouldFailAnImageUpdateThatChangedNothingAlsoWhenComposeIgnoresTheFailedPullLikeV2(@TempDir Path bin)
      throws java.io.IOException {
    // Compose v2 exits 0 from `pull --ignore-pull-failures` whatever failed; v1 (installed here)
    // exits non-zero. This wrapper runs the real v1 on the real daemon but answers as v2 does.
    Path v2Like = bin.resolve("compose-v2-like");
    java.nio.file.Files.writeString(v2Like, """
        #!/bin/sh
        case " $* " in *" --ignore-pull-failures "*) docker-compose "$@"; exit 0;; esac
        exec docker-compose "$@"
        """);
    assertThat(v2Like.toFile().setExecutable(true)).isTrue();
    runtime.close();
    runtime = new DockerComposeRuntime(deployments, "unix:///var/run/docker.sock",
        new ComposeCli("unix:///var/run/docker.sock", List.of(List.of(v2Like.toString()))));
    build("1");
    String compose = webOnly();
    assertThat(runtime.deploy(app, app, compose, Map.of(), null, in(60)).success()).isTrue();
    String web = containerOf("web");

    DeployOutcome unchanged = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        DeployOptions.NONE.pullingImages(true));

    assertThat(unchanged.success()).isFalse();
    assertThat(unchanged.error()).startsWith("no image changed: docker compose pull failed");
    assertThat(containerOf("web")).isEqualTo(web);

    String v2 = build("2");
    DeployOutcome updated = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        DeployOptions.NONE.pullingImages(true));
    assertThat(updated.success()).as(String.valueOf(updated.error())).isTrue();
    assertThat(imageOf(containerOf("web"))).isEqualTo(v2);
  }

  @Test
  void shouldSucceedWithNothingChangedWhenAServiceCouldPullAndAnotherNeverPulls() {
    // 'web' runs an image tagged here (its pull fails); 'tool' is built here, which compose does
    // not pull and counts as pulled: one service could pull, so nothing new is no failure.
    build("1");
    String compose = """
        services:
          web:
            image: %s
            command: ["sleep", "3600"]
            stop_grace_period: 1s
          tool:
            build: ./tool
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """.formatted(tag);
    Map<String, byte[]> files = Map.of("tool/Dockerfile",
        ("FROM orca-test/busybox:1\nLABEL orca.it.app=" + app + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    DeployOutcome deployed = runtime.deploy(app, app, compose, files, null, in(120));
    assertThat(deployed.success()).as(String.valueOf(deployed.error())).isTrue();
    String web = containerOf("web");

    DeployOutcome updated = runtime.deploy(app, app, compose, files, null, in(120),
        DeployOptions.NONE.pullingImages(true));

    assertThat(updated.success()).as(String.valueOf(updated.error())).isTrue();
    assertThat(containerOf("web")).isEqualTo(web);
  }

  @Test
  void shouldKeepASupersededImageThatAnotherTagStillNames() {
    String v1 = build("1");
    String kept = tag.replace(":latest", ":kept");
    DockerCli.lines("docker", "tag", v1, kept);
    String compose = webOnly();
    assertThat(runtime.deploy(app, app, compose, Map.of(), null, in(60)).success()).isTrue();
    build("2");

    DeployOutcome updated = runtime.deploy(app, app, compose, Map.of(), null, in(60),
        new DeployOptions(java.util.Set.of(), null, true, true));

    assertThat(updated.success()).as(String.valueOf(updated.error())).isTrue();
    assertThat(DockerCli.lines("docker", "image", "inspect", "-f", "{{.Id}}", kept)).containsExactly(v1);
  }

  /** One service, {@code web}, running the test's tag. */
  private String webOnly() {
    return """
        services:
          web:
            image: %s
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """.formatted(tag);
  }

  /** Builds a new image under the test's tag (labelled for clean-up) and answers its id. */
  private String build(String version) {
    DockerCli.lines("sh", "-c", "printf 'FROM orca-test/busybox:1\\nLABEL orca.it.app=" + app + " orca.it.version="
        + version + "\\n' | DOCKER_BUILDKIT=0 docker build -q -t " + tag + " -");
    return DockerCli.lines("docker", "image", "inspect", "-f", "{{.Id}}", tag).get(0);
  }

  private String containerOf(String service) {
    return DockerCli.lines("docker", "ps", "-q", "--no-trunc", "--filter", "label=orca-cd.application-id=" + app,
        "--filter", "label=com.docker.compose.service=" + service).get(0);
  }

  private static String imageOf(String container) {
    return DockerCli.lines("docker", "inspect", "-f", "{{.Image}}", container).get(0);
  }

  private static Instant in(int seconds) {
    return Instant.now().plusSeconds(seconds);
  }
}
