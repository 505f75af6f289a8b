package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

  @Test
  void shouldUseDefaultsForEverythingButTheAgentId() {
    AgentSettings s = AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "host-1"));

    assertThat(s.kafkaBootstrap()).isEqualTo("localhost:9092");
    assertThat(s.agentId()).isEqualTo("host-1");
    assertThat(s.deploymentsDir()).isEqualTo(Path.of("./data/deployments").toAbsolutePath().normalize());
    assertThat(s.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.healthInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.topics().prefix()).isEqualTo("orca.");
    assertThat(s.agentVersion()).isNotBlank();
  }

  @Test
  void shouldReadTheEnvironment() {
    AgentSettings s = AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "host-1",
        "ORCA_KAFKA_BOOTSTRAP", "127.0.0.1:19092", "ORCA_DATA_DIR", "/srv/orca", "ORCA_DOCKER_HOST", "tcp://127.0.0.1:2375",
        "ORCA_AGENT_HEARTBEAT_SECONDS", "30", "ORCA_TOPIC_PREFIX", "dev."));

    assertThat(s.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
    assertThat(s.deploymentsDir()).isEqualTo(Path.of("/srv/orca/deployments"));
    assertThat(s.dockerHost()).isEqualTo("tcp://127.0.0.1:2375");
    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.topics().agentCommands("host-1").name()).isEqualTo("dev.agent.host-1.commands");
    assertThat(AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h", "ORCA_AGENT_DEPLOYMENTS_DIR", "/d",
        "ORCA_DATA_DIR", "/x")).deploymentsDir()).isEqualTo(Path.of("/d"));
  }

  @Test
  void shouldReadTheEnvironmentKeyWithoutEverShowingIt() {
    byte[] key = new byte[32];
    key[0] = 7;
    String base64 = Base64.getEncoder().encodeToString(key);

    AgentSettings s = AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h", "ORCA_AGENT_ENVIRONMENT_KEY", base64));

    assertThat(s.environmentKey()).isEqualTo(key);
    assertThat(s.toString()).doesNotContain(base64).contains("environmentKey=set");
    assertThat(AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h")).environmentKey()).isNull();
    assertThat(AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h", "ORCA_AGENT_ENVIRONMENT_KEY", " "))
        .environmentKey()).isNull();
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h",
        "ORCA_AGENT_ENVIRONMENT_KEY", short16)))
        .hasMessage("ORCA_AGENT_ENVIRONMENT_KEY must be the environmentKey of the agent's connection settings"
            + " (an environment key must be 32 bytes (got 16))");
    assertThatThrownBy(() -> AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "h",
        "ORCA_AGENT_ENVIRONMENT_KEY", "secret?not-base64")))
        .hasMessageContaining("must be base64").message().doesNotContain("secret?not-base64");
  }

  @Test
  void shouldRequireAUsableAgentId() {
    assertThatThrownBy(() -> AgentSettings.fromEnvironment(Map.of())).hasMessageContaining("ORCA_AGENT_ID");
    assertThatThrownBy(() -> AgentSettings.fromEnvironment(Map.of("ORCA_AGENT_ID", "a.b")))
        .hasMessageContaining("ORCA_AGENT_ID");
  }
}
