package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {

  @Test
  void shouldReadTheFileLiterallyAndLetTheProcessEnvironmentWin(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("orca-agent.env"), """
        # the agent's connection settings
        ORCA_AGENT_ID=a1
        ORCA_KAFKA_PASSWORD=abc=def "quoted"

        ORCA_KAFKA_BOOTSTRAP=host:19093
        """);
    Map<String, String> env = EnvFile.environment(new String[] {"--env-file", file.toString()},
        Map.of("ORCA_KAFKA_BOOTSTRAP", "other:9093"));
    assertThat(env).containsEntry("ORCA_AGENT_ID", "a1").containsEntry("ORCA_KAFKA_PASSWORD", "abc=def \"quoted\"")
        .containsEntry("ORCA_KAFKA_BOOTSTRAP", "other:9093");
    assertThat(EnvFile.environment(new String[] {"--env-file=" + file}, Map.of())).containsEntry("ORCA_AGENT_ID", "a1");
  }

  @Test
  void shouldRefuseWhatItCannotRead(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> EnvFile.environment(new String[] {"--verbose"}, Map.of()))
        .hasMessageContaining("unknown argument --verbose");
    Path broken = Files.writeString(dir.resolve("broken.env"), "ORCA_AGENT_ID=a1\nnot a setting\n");
    assertThatThrownBy(() -> EnvFile.read(broken)).hasMessageContaining("line 2 is not NAME=value");
    assertThatThrownBy(() -> EnvFile.read(dir.resolve("missing.env"))).hasMessageContaining("cannot read");
  }
}
