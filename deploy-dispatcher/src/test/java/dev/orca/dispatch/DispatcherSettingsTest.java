package dev.orca.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherSettingsTest {

  @Test
  void shouldUseDefaultsWhenNothingIsSet() {
    DispatcherSettings settings = DispatcherSettings.fromEnvironment(Map.of());

    assertThat(settings.kafkaBootstrap()).isEqualTo("localhost:9092");
    assertThat(settings.topics().prefix()).isEqualTo("orca.");
    assertThat(settings.stateDir()).isEqualTo(Path.of("./data", "streams"));
    assertThat(settings.deployTimeout()).isEqualTo(Duration.ofSeconds(300));
  }

  @Test
  void shouldReadTheEnvironment() {
    DispatcherSettings settings = DispatcherSettings.fromEnvironment(Map.of(
        "ORCA_KAFKA_BOOTSTRAP", "127.0.0.1:19092", "ORCA_TOPIC_PREFIX", "x.",
        "ORCA_DATA_DIR", "/var/orca", "ORCA_DEPLOY_TIMEOUT_SECONDS", "42"));

    assertThat(settings.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
    assertThat(settings.topics().deployRequests().name()).isEqualTo("x.deploy-requests");
    assertThat(settings.stateDir()).isEqualTo(Path.of("/var/orca/streams"));
    assertThat(settings.deployTimeout()).isEqualTo(Duration.ofSeconds(42));
  }

  @Test
  void shouldRejectANonNumericTimeout() {
    assertThatThrownBy(() -> DispatcherSettings.fromEnvironment(Map.of("ORCA_DEPLOY_TIMEOUT_SECONDS", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_DEPLOY_TIMEOUT_SECONDS");
  }
}
