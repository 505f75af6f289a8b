package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.web.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentRulesTest {

  @Test
  void shouldRenderOneLinePerVariableWithNamesSorted() {
    String dotEnv = EnvironmentRules.dotEnv(Map.of("b_2", "two = 2", "A", "", "_x", "é"));

    assertThat(dotEnv).isEqualTo("A=\n_x=é\nb_2=two = 2\n");
    assertThat(EnvironmentRules.names(dotEnv)).containsExactly("A", "_x", "b_2");
    assertThat(EnvironmentRules.dotEnv(Map.of())).isEmpty();
    assertThat(EnvironmentRules.names("")).isEmpty();
  }

  @Test
  void shouldCountTheLimitInUtf8Bytes() {
    // "A=" + value + "\\n": 3 bytes of framing, then 2 bytes per é.
    assertThat(EnvironmentRules.dotEnv(Map.of("A", "é".repeat((65_536 - 3) / 2)))).isNotEmpty();
    assertThatThrownBy(() -> EnvironmentRules.dotEnv(Map.of("A", "é".repeat((65_536 - 3) / 2 + 1))))
        .isInstanceOf(ApiException.class).hasMessageStartingWith("the variables are too large");
  }

  @Test
  void shouldNameARefusedVariableWithoutItsValue() {
    assertThatThrownBy(() -> EnvironmentRules.dotEnv(Map.of("PASSWORD", "hunter2\nsecond line")))
        .hasMessage("the value of PASSWORD must be a single line");
    assertThatThrownBy(() -> EnvironmentRules.dotEnv(Map.of("bad\u0000name" + "x".repeat(100), "v")))
        .hasMessageStartingWith("invalid variable name 'bad?name").hasMessageContaining("…'");
  }
}
