package dev.orca.gateway.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What holds an image webhook secret or a compose file may be logged; its toString must not carry them. */
class SecretsNotPrintedTest {

  private static final String SECRET = "s3cret-webhook-value-0123456789";
  private static final String COMPOSE = "services:\n  db:\n    environment: {PASSWORD: hunter2-in-compose}\n";

  @Test
  void shouldNotPrintTheSecretOfAnApplicationBody() {
    var body = new ApplicationController.ApplicationBody("shop", UUID.randomUUID().toString(), "agent-1", "main",
        "compose.yaml", true, null, List.of(), true, 60, false, SECRET, null);

    assertThat(body.toString()).doesNotContain(SECRET).contains("name=shop", "imagePolling=true",
        "imageWebhookSecret=<redacted>");
    assertThat(withSecret(body, "").toString()).contains("imageWebhookSecret=\"\"");
    assertThat(withSecret(body, null).toString()).contains("imageWebhookSecret=null");
  }

  @Test
  void shouldPrintOnlyTheNamesOfTheEnvironmentVariables() {
    var body = new ApplicationController.EnvironmentBody(java.util.Map.of("DB_PASSWORD", SECRET, "API_KEY", SECRET));

    assertThat(body.toString()).doesNotContain(SECRET).isEqualTo("EnvironmentBody[variables=[API_KEY, DB_PASSWORD]]");
    assertThat(new ApplicationController.EnvironmentBody(null).toString()).isEqualTo("EnvironmentBody[variables=null]");
  }

  @Test
  void shouldNotPrintTheSecretOfAConfigurationWrite() {
    var config = new ApplicationStore.Config("shop", "hash", UUID.randomUUID(), "agent-1", "main", "compose.yaml",
        ApplicationStore.Settings.DEFAULT, SECRET);

    assertThat(config.toString()).doesNotContain(SECRET).contains("name=shop", "imageWebhookSecret=<redacted>");
  }

  @Test
  void shouldNotPrintTheSecretOrTheComposeFileOfAnImageWebhookTarget() {
    var target = new ApplicationViews.ImageWebhookTarget(UUID.randomUUID(), "v1:" + SECRET, COMPOSE, false, false);

    assertThat(target.toString()).doesNotContain(SECRET).doesNotContain("hunter2")
        .contains("secret=set", "composeFile=" + COMPOSE.length() + " characters", "beingRemoved=false");
    assertThat(new ApplicationViews.ImageWebhookTarget(UUID.randomUUID(), null, null, true, false).toString())
        .contains("secret=none", "composeFile=none", "beingRemoved=true");
  }

  private static ApplicationController.ApplicationBody withSecret(ApplicationController.ApplicationBody body,
      String secret) {
    return new ApplicationController.ApplicationBody(body.name(), body.repositoryId(), body.agentId(), body.branch(),
        body.path(), body.selfHeal(), body.readinessTimeoutSeconds(), body.allowedPolicyRules(), body.imagePolling(),
        body.imagePollIntervalSeconds(), body.removeSupersededImages(), secret, body.autoRollback());
  }
}
