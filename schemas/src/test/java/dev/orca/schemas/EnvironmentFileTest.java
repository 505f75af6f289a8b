package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnvironmentFileTest {

  @Test
  void shouldTakeValuesLiterallyInTheirOrder() {
    assertThat(EnvironmentFile.parse("B=2\n# a comment\n\nA= x=\"y\" $Z \r\nB=3\n"))
        .containsExactly(java.util.Map.entry("B", "3"), java.util.Map.entry("A", " x=\"y\" $Z "));
  }

  @Test
  void shouldNameTheLineThatIsNotAVariable() {
    assertThatThrownBy(() -> EnvironmentFile.parse("A=1\nnot a variable\n", "orca-agent.env"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("orca-agent.env line 2 is not NAME=value");
    assertThatThrownBy(() -> EnvironmentFile.parse("=1")).hasMessage("the environment file line 1 is not NAME=value");
  }
}
