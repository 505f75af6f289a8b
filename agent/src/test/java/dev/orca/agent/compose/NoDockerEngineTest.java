package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.FailureKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runtime pointed at a socket where no engine listens: it says so and refuses to deploy. */
class NoDockerEngineTest {

  @TempDir Path dir;

  @Test
  void shouldExplainThatNoEngineAnswersAndFailDeploysAsTransport() {
    String host = "unix://" + dir.resolve("missing.sock");
    try (DockerComposeRuntime runtime = new DockerComposeRuntime(dir.resolve("deployments"), host)) {
      EngineStatus status = runtime.status();
      DeployOutcome deploy = runtime.deploy("app-1", "app-1", "services: {web: {image: x}}", Map.of(), null,
          Instant.now().plusSeconds(30));

      assertThat(status.dockerAvailable()).isFalse();
      assertThat(status.message())
          .isEqualTo("No Docker engine at " + host + ": this agent cannot deploy until one is running");
      assertThat(deploy.failureKind()).isEqualTo(FailureKind.TRANSPORT);
      assertThat(deploy.error()).isEqualTo(status.message());
      assertThat(runtime.observe()).isEmpty();
      assertThat(dir.resolve("deployments")).doesNotExist();
    }
  }
}
