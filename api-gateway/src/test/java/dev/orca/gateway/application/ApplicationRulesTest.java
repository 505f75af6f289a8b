package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.web.ApiException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplicationRulesTest {

  private static final ApplicationStore.Settings CURRENT = new ApplicationStore.Settings(true, 30, List.of("privileged"));

  @Test
  void shouldKeepWhatABodyLeavesOutAndClearTheTimeoutWithZero() {
    assertThat(ApplicationRules.settings(null, null, null, CURRENT, false, 300)).isEqualTo(CURRENT);
    assertThat(ApplicationRules.settings(false, 0, null, CURRENT, false, 300))
        .isEqualTo(new ApplicationStore.Settings(false, null, List.of("privileged")));
    assertThat(ApplicationRules.settings(null, 300, null, CURRENT, false, 300).readinessTimeoutSeconds()).isEqualTo(300);
  }

  @Test
  void shouldStoreKnownRulesOnceInTheirOwnOrder() {
    assertThat(ApplicationRules.settings(null, null, List.of("host-mounts", "capabilities", "host-mounts"),
        ApplicationStore.Settings.DEFAULT, true, 300).allowedPolicyRules())
        .containsExactly("capabilities", "host-mounts");
    assertThatThrownBy(() -> ApplicationRules.settings(null, null, Arrays.asList("privileged", null),
        ApplicationStore.Settings.DEFAULT, true, 300))
        .isInstanceOf(ApiException.class).hasMessageContaining("allowedPolicyRules: null is not a policy rule");
    assertThatThrownBy(() -> ApplicationRules.settings(null, null, List.of("Privileged\n" + "x".repeat(100)),
        ApplicationStore.Settings.DEFAULT, true, 300))
        .isInstanceOf(ApiException.class).hasMessageContaining("'Privileged?xxx").hasMessageNotContaining("\n")
        .hasMessageContaining("(one of privileged, capabilities, host-namespaces, docker-socket, host-mounts)");
  }

  @Test
  void shouldLeavePolicyExceptionsToAdminsButLetAnyoneResendThemUnchanged() {
    assertThatThrownBy(() -> ApplicationRules.settings(null, null, List.of(), CURRENT, false, 300))
        .isInstanceOf(ApiException.class).hasMessage("only an admin may change allowedPolicyRules")
        .extracting(e -> ((ApiException) e).status().value()).isEqualTo(403);
    assertThat(ApplicationRules.settings(true, null, List.of("privileged"), CURRENT, false, 300)).isEqualTo(CURRENT);
    assertThat(ApplicationRules.settings(null, null, List.of(), CURRENT, true, 300).allowedPolicyRules()).isEmpty();
  }

  @Test
  void shouldBoundTheReadinessTimeoutByTheDeadline() {
    assertThatThrownBy(() -> ApplicationRules.settings(null, 301, null, CURRENT, true, 300))
        .isInstanceOf(ApiException.class)
        .hasMessage("readinessTimeoutSeconds must be between 1 and 300 (the deployment deadline), or 0 to wait until"
            + " the deadline");
    assertThatThrownBy(() -> ApplicationRules.settings(null, -1, null, CURRENT, true, 300))
        .isInstanceOf(ApiException.class);
  }
}
