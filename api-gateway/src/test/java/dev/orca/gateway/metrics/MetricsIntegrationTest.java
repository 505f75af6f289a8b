package dev.orca.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.kafka.KafkaPublisher;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;

/** {@code GET /metrics}: who may read it, and what it says after real events went through the projector. */
class MetricsIntegrationTest extends GatewayTestSupport {

  @Autowired
  Topics topics;

  @Autowired
  KafkaPublisher publisher;

  @Test
  void shouldServeMetricsOnlyToTheScrapeTokenAndAdmins() {
    anonymous().get().uri("/metrics").exchange().expectStatus().isUnauthorized()
        .expectHeader().doesNotExist("X-Unused").expectBody().jsonPath("$.error").exists();
    anonymous().get().uri("/metrics").header(HttpHeaders.AUTHORIZATION, "Bearer not-a-token").exchange()
        .expectStatus().isUnauthorized();
    user().get().uri("/metrics").exchange().expectStatus().isForbidden();
    admin().get().uri("/metrics").exchange().expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith("text/plain");
    anonymous().get().uri("/metrics").header(HttpHeaders.AUTHORIZATION, "Bearer " + METRICS_TOKEN).exchange()
        .expectStatus().isOk();
  }

  @Test
  void shouldCountDeploymentsSyncsAndWebhooksAndListEveryApplicationWithItsStatus() {
    String repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "metrics-" + UUID.randomUUID().toString().substring(0, 8),
            "url", "https://git.example.com/acme/apps.git", "syncType", "webhook", "webhookSecret", "0123456789abcdef"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    String agentId = (String) admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", "m-" + UUID.randomUUID()
        .toString().substring(0, 8))).exchange().expectStatus().isCreated().expectBody(Map.class).returnResult()
        .getResponseBody().get("id");
    String name = "metered-" + UUID.randomUUID().toString().substring(0, 8);
    String app = (String) admin().post().uri("/api/v1/applications").bodyValue(Map.of("name", name,
            "repositoryId", repositoryId, "agentId", agentId, "path", "compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    double succeeded = value(scrape(), "orca_deployments_total\\{[^}]*outcome=\"succeeded\",reason=\"sync\"[^}]*\\}");
    double polls = value(scrape(), "orca_syncs_total\\{[^}]*outcome=\"failed\",trigger=\"polling\"[^}]*\\}");
    double refused = value(scrape(), "orca_webhooks_total\\{[^}]*kind=\"git\",status=\"401\"[^}]*\\}");

    Instant started = Instant.now().minusSeconds(3);
    DeploymentChanged ended = DeploymentChanged.newBuilder().setDeploymentId("m-" + app).setApplicationId(app)
        .setAgentId(agentId).setGeneration(1).setReason(DeployReason.SYNC).setActor("sync-stream").setCommit("c1")
        .setDigest("d1").setState(DeploymentState.SUCCEEDED).setStartedAt(started).setEndedAt(Instant.now())
        .setDeadline(started.plusSeconds(300)).setAt(Instant.now()).build();
    publisher.publish(topics.status(), app, ended).block(DEADLINE);
    // Replayed, it is not counted again.
    publisher.publish(topics.status(), app, ended).block(DEADLINE);
    publisher.publish(topics.status(), repositoryId, RepositoryStatusChanged.newBuilder().setRepositoryId(repositoryId)
        .setStatus(RepositorySyncStatus.FAILED).setTrigger(SyncTrigger.POLLING).setLastSyncError("unreachable")
        .setAt(Instant.now()).build()).block(DEADLINE);
    anonymous().post().uri("/api/v1/webhooks/repositories/" + repositoryId).header("X-GitHub-Event", "push")
        .header("X-Hub-Signature-256", "sha256=00").bodyValue("{}").exchange().expectStatus().isUnauthorized();

    Awaitility.await().atMost(DEADLINE).until(() -> value(scrape(),
        "orca_syncs_total\\{[^}]*outcome=\"failed\",trigger=\"polling\"[^}]*\\}") == polls + 1);
    String text = scrape();
    assertThat(value(text, "orca_deployments_total\\{[^}]*outcome=\"succeeded\",reason=\"sync\"[^}]*\\}"))
        .isEqualTo(succeeded + 1);
    assertThat(value(text, "orca_webhooks_total\\{[^}]*kind=\"git\",status=\"401\"[^}]*\\}")).isEqualTo(refused + 1);
    assertThat(text).contains("orca_deployment_duration_seconds_bucket{").contains("orca_projector_lag_seconds")
        .contains("jvm_memory_used_bytes").contains("orca_agents{").contains("orca_outbox_backlog")
        .contains("kafka_consumer_fetch_manager_records_lag_max");
    assertThat(text).containsPattern("orca_application_info\\{application=\"" + app + "\",[^}]*health_status=\"[a-z]+\","
        + "[^}]*name=\"" + name + "\",sync_status=\"[a-z_]+\"\\} 1");
  }

  private String scrape() {
    return anonymous().get().uri("/metrics").header(HttpHeaders.AUTHORIZATION, "Bearer " + METRICS_TOKEN).exchange()
        .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
  }

  /** The value of the first series matching {@code series} (a regular expression), 0 when absent. */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("^" + series + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
