package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test-side CLI helper: assertions must fail loudly when the command fails, cleanup must not. */
class DockerCliTest {

  @Test
  void shouldReturnTheNonBlankLinesOfASuccessfulCommand() {
    assertThat(DockerCli.lines("sh", "-c", "echo a; echo; echo b >&2")).containsExactly("a", "b");
  }

  @Test
  void shouldThrowWithTheOutputWhenTheCommandFailsInsteadOfReportingNoLines() {
    assertThatThrownBy(() -> DockerCli.lines("sh", "-c", "echo daemon down; exit 3"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited 3").hasMessageContaining("daemon down");
    assertThatThrownBy(() -> DockerCli.lines("/nonexistent/docker", "ps")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldGiveNoLinesForAFailedCleanupCommand() {
    assertThat(DockerCli.linesOrEmpty("sh", "-c", "echo oops; exit 1")).isEmpty();
  }
}
