package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.HealthStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HealthTest {

  @Test
  void shouldAggregateContainerStatesIntoApplicationHealth() {
    assertThat(Health.of(List.of())).isEqualTo(HealthStatus.MISSING);
    assertThat(Health.of(List.of(c("a", "running", null), c("b", "running", "healthy")))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(Health.of(List.of(c("a", "running", null), c("b", "created", null)))).isEqualTo(HealthStatus.PROGRESSING);
    assertThat(Health.of(List.of(c("a", "running", "starting")))).isEqualTo(HealthStatus.PROGRESSING);
    assertThat(Health.of(List.of(c("a", "running", "unhealthy"), c("b", "created", null)))).isEqualTo(HealthStatus.UNHEALTHY);
    for (String broken : List.of("restarting", "exited", "dead")) {
      assertThat(Health.of(List.of(c("a", "running", null), c("b", broken, null)))).isEqualTo(HealthStatus.UNHEALTHY);
    }
  }

  @Test
  void shouldLeaveNothingProgressingAfterAFailedDeployment() {
    assertThat(Health.afterFailure(List.of())).isEqualTo(HealthStatus.MISSING);
    assertThat(Health.afterFailure(List.of(c("a", "created", null)))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(Health.afterFailure(List.of(c("a", "running", "starting")))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(Health.afterFailure(List.of(c("a", "running", "healthy")))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(Health.afterFailure(List.of(c("a", "exited", null)))).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void shouldNameWhatKeepsADeployFromBeingReady() {
    assertThat(Health.notReady(Set.of("a"), List.of(c("a", "running", null)))).isEmpty();
    assertThat(Health.notReady(Set.of("a", "b"), List.of(c("a", "exited", null))))
        .containsExactlyInAnyOrder("b (no container)", "a (exited)");
    assertThat(Health.notReady(Set.of("a"), List.of(c("a", "running", "starting")))).containsExactly("a (running, starting)");
  }

  @Test
  void shouldReadHealthFromTheListedStatus() {
    assertThat(DockerEngine.healthOf("Up 3 seconds (health: starting)")).isEqualTo("starting");
    assertThat(DockerEngine.healthOf("Up 1 minute (healthy)")).isEqualTo("healthy");
    assertThat(DockerEngine.healthOf("Up 1 minute (unhealthy)")).isEqualTo("unhealthy");
    assertThat(DockerEngine.healthOf("Up 1 minute")).isNull();
    assertThat(DockerEngine.healthOf("Exited (1) 2 seconds ago")).isNull();
  }

  private static Container c(String service, String state, String health) {
    return new Container("p-" + service + "-1", service, state, health, "img");
  }
}
