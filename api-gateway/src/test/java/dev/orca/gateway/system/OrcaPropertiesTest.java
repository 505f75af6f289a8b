package dev.orca.gateway.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrcaPropertiesTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void shouldRefuseAMissingOrShortAppSecretWithAClearMessage() {
    assertThatThrownBy(() -> properties(null, null)).hasMessageContaining("APP_SECRET").hasMessageContaining("required");
    assertThatThrownBy(() -> properties("short", null)).hasMessageContaining("APP_SECRET").hasMessageContaining("too short");
  }

  @Test
  void shouldRequireTheStreamApplicationsGroupsByDefault() {
    assertThat(properties(SECRET, null).health().requiredGroups())
        .containsExactly("acme.sync-stream", "acme.deploy-dispatcher", "acme.deploy-dispatcher-relay");
    assertThat(properties(SECRET, List.of()).health().requiredGroups()).isEmpty();
  }

  @Test
  void shouldNeverPrintTheSecret() {
    assertThat(properties(SECRET, null).toString()).doesNotContain(SECRET);
  }

  private static OrcaProperties properties(String secret, List<String> groups) {
    return new OrcaProperties("localhost:9092", "acme.", 3, (short) 1, "postgresql://u:p@db/orca", secret, null, null, false, null, 300,
        new OrcaProperties.LocalAgent(false), new OrcaProperties.Health(groups),
        new OrcaProperties.Session(java.time.Duration.ofHours(12), java.time.Duration.ofDays(7)),
        new OrcaProperties.Audit(java.time.Duration.ofDays(90)), new OrcaProperties.RateLimit(300, 10),
        new OrcaProperties.Auth(true));
  }
}
