package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftTest {

  private static final List<Container> DEPLOYED = List.of(
      new Container("p-web-1", "web", "running", null, "img/web:1", "h-web"),
      new Container("p-db-1", "db", "running", "healthy", "img/db:2", "h-db"));
  private static final Map<String, Drift.Expected> BASELINE = Drift.baseline(DEPLOYED);

  @Test
  void shouldSeeNoDriftWhenTheSameContainersRun() {
    assertThat(Drift.between(BASELINE, DEPLOYED)).isEmpty();
  }

  @Test
  void shouldSeeNoDriftWhenAContainerOfTheSameConfigurationRestartsOrTurnsUnhealthy() {
    assertThat(Drift.between(BASELINE, List.of(
        new Container("p-web-1", "web", "restarting", null, "img/web:1", "h-web"),
        new Container("p-db-1", "db", "running", "unhealthy", "img/db:2", "h-db")))).isEmpty();
  }

  @Test
  void shouldNameARemovedContainer() {
    assertThat(Drift.between(BASELINE, List.of(DEPLOYED.get(1))))
        .contains("service 'web': container removed");
  }

  @Test
  void shouldNameAStoppedContainer() {
    assertThat(Drift.between(BASELINE, List.of(
        new Container("p-web-1", "web", "exited", null, "img/web:1", "h-web"), DEPLOYED.get(1))))
        .contains("service 'web': stopped (exited)");
  }

  @Test
  void shouldNameAContainerRecreatedWithAnotherImageOrConfiguration() {
    assertThat(Drift.between(BASELINE, List.of(
        new Container("p-web-1", "web", "running", null, "img/web:9", "h-other"),
        new Container("p-db-1", "db", "running", "healthy", "img/db:2", "h-changed"))))
        .contains("service 'db': container recreated with another configuration; "
            + "service 'web': runs image img/web:9 instead of img/web:1");
  }
}
