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

  @Test
  void shouldTakeAnImageWebhookSecretOf16To256PrintableAsciiCharacters() {
    String unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    assertThat(ApplicationRules.imageWebhookSecret(unreserved)).isEqualTo(unreserved);
    assertThat(ApplicationRules.imageWebhookSecret("a".repeat(16))).hasSize(16);
    assertThat(ApplicationRules.imageWebhookSecret("a".repeat(256))).hasSize(256);
    assertThat(ApplicationRules.imageWebhookSecret(null)).isNull();
    assertThat(ApplicationRules.imageWebhookSecret("")).isEmpty();
    for (String refused : List.of("a".repeat(15), "a".repeat(257), "0123456789 abcdef", "0123456789abcdef\t",
        "\u00000123456789abcdef", "0123456789abcdef\u007f", "0123456789abcdéf", "0123456789abcdef\u00a0",
        "0123456789abcdef\uD83D\uDD11", "0123456789abcdef+", "0123456789abcdef%41", "0123456789abcdef&x=1",
        "0123456789abcdef#", "0123456789abcdef!", "0123456789abcdef/")) {
      assertThatThrownBy(() -> ApplicationRules.imageWebhookSecret(refused)).as(refused)
          .isInstanceOf(ApiException.class)
          .hasMessage("imageWebhookSecret must be 16 to 256 characters, each a letter, a digit or one of - . _ ~"
              + " (they go in a URL unencoded), or empty to remove it")
          .extracting(e -> ((ApiException) e).status().value()).isEqualTo(400);
    }
  }
}
