package dev.orca.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.metrics.MetricsEndpoint;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

  @Test
  void shouldCountDeploymentsByOutcomeAndKeepTheApplicationsByTheirLastHealth() {
    try (MetricsEndpoint endpoint = MetricsEndpoint.unserved("agent")) {
      AgentMetrics metrics = new AgentMetrics(endpoint.registry());

      metrics.accept(result("d1", true, FailureKind.NONE));
      metrics.accept(result("d2", false, FailureKind.COMPOSE));
      metrics.accept(result("d3", false, FailureKind.COMPOSE));
      metrics.accept(health("a", HealthStatus.HEALTHY));
      metrics.accept(health("b", HealthStatus.HEALTHY));
      metrics.accept(health("a", HealthStatus.UNHEALTHY));
      metrics.accept(RemoveResult.newBuilder().setRequestId("r").setApplicationId("b").setSuccess(true)
          .setAt(Instant.now()).build());

      assertThat(endpoint.scrape())
          .contains("orca_agent_deployments_total{component=\"agent\",failure_kind=\"none\",outcome=\"success\"} 1.0")
          .contains("orca_agent_deployments_total{component=\"agent\",failure_kind=\"compose\",outcome=\"failed\"} 2.0")
          .contains("orca_agent_applications{component=\"agent\",health=\"unhealthy\"} 1.0")
          .contains("orca_agent_applications{component=\"agent\",health=\"healthy\"} 0.0")
          .contains("orca_agent_removals_total{component=\"agent\",outcome=\"success\"} 1.0");
    }
  }

  private static DeployResult result(String deploymentId, boolean success, FailureKind kind) {
    return DeployResult.newBuilder().setDeploymentId(deploymentId).setApplicationId("a").setGeneration(1)
        .setSuccess(success).setFailureKind(kind).setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build();
  }

  private static HealthReport health(String applicationId, HealthStatus status) {
    return HealthReport.newBuilder().setApplicationId(applicationId).setHealth(status).setAt(Instant.now()).build();
  }
}
