package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvFileTest {

  @Test
  void shouldPutTheRepositorysLinesFirstAndTheApplicationsVariablesAfter() {
    assertThat(DockerComposeRuntime.envFile(bytes("# defaults\nCOLOR=blue\nSIZE='small'"), "SIZE=large\n"))
        .isEqualTo("# defaults\nCOLOR=blue\nSIZE='small'\nSIZE=large\n");
    assertThat(DockerComposeRuntime.envFile(null, "A=1")).isEqualTo("A=1\n");
    assertThat(DockerComposeRuntime.envFile(bytes("A=1\n"), null)).isEqualTo("A=1\n");
    assertThat(DockerComposeRuntime.envFile(null, null)).isEmpty();
  }

  @Test
  void shouldRefuseARepositoryLineWhoseQuoteRunsIntoTheNextLines() {
    assertThatThrownBy(() -> DockerComposeRuntime.envFile(bytes("A=1\nB=\"open\nC=3\n"), "SECRET=s\n"))
        .isInstanceOf(InvalidComposeFileException.class)
        .hasMessage("line 2 of the repository's .env opens a quote it does not close on the same line (values"
            + " spanning lines are not supported)")
        .hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> DockerComposeRuntime.envFile(bytes("A='it\n"), null))
        .isInstanceOf(InvalidComposeFileException.class);
    assertThat(DockerComposeRuntime.envFile(bytes("A=\"say \\\"hi\\\"\" # comment\nB='x'\n# C=\"\nD=it's\n"), null))
        .startsWith("A=");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
