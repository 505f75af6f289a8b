package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSettingsTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldEmbedEverythingOnTheDefaultPortsWhenNothingIsSet() {
    LocalSettings settings = LocalSettings.fromEnvironment(Map.of("ORCA_DATA_DIR", dataDir.toString()));
    assertThat(settings.dataDir()).isEqualTo(dataDir.toAbsolutePath());
    assertThat(settings.httpAddress()).isEqualTo("127.0.0.1");
    assertThat(settings.loopbackOnly()).isTrue();
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.kafkaBootstrap()).isNull();
    assertThat(settings.databaseUrl()).isNull();
    assertThat(settings.appSecret()).isNull();
    assertThat(settings.kafkaPort()).isPositive();
    assertThat(settings.databasePort()).isPositive();
  }

  @Test
  void shouldRememberTheEmbeddedPortsForTheNextStart() {
    LocalSettings first = LocalSettings.fromEnvironment(Map.of("ORCA_DATA_DIR", dataDir.toString()));
    LocalSettings second = LocalSettings.fromEnvironment(Map.of("ORCA_DATA_DIR", dataDir.toString()));
    assertThat(second.kafkaPort()).isEqualTo(first.kafkaPort());
    assertThat(second.databasePort()).isEqualTo(first.databasePort());
  }

  @Test
  void shouldStartNoEmbeddedServerWhenExternalOnesAreGiven() {
    LocalSettings settings = LocalSettings.fromEnvironment(Map.of(
        "ORCA_DATA_DIR", dataDir.toString(),
        "ORCA_KAFKA_BOOTSTRAP", "kafka:9092",
        "ORCA_DATABASE_URL", "postgresql://u:p@db:5432/orca",
        "APP_SECRET", "s3cret",
        "ORCA_HTTP_PORT", "9090"));
    assertThat(settings.kafkaBootstrap()).isEqualTo("kafka:9092");
    assertThat(settings.databaseUrl()).isEqualTo("postgresql://u:p@db:5432/orca");
    assertThat(settings.appSecret()).isEqualTo("s3cret");
    assertThat(settings.httpPort()).isEqualTo(9090);
    assertThat(settings.kafkaPort()).isZero();
    assertThat(settings.databasePort()).isZero();
  }

  @Test
  void shouldNameTheVariableThatIsNotAPort() {
    assertThatThrownBy(() -> LocalSettings.fromEnvironment(Map.of(
            "ORCA_DATA_DIR", dataDir.toString(), "ORCA_HTTP_PORT", "eighty")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_HTTP_PORT");
  }

  @Test
  void shouldListenWhereOrcaHttpAddressSays() {
    LocalSettings settings = LocalSettings.fromEnvironment(Map.of(
        "ORCA_DATA_DIR", dataDir.toString(), "ORCA_HTTP_ADDRESS", "0.0.0.0"));
    assertThat(settings.httpAddress()).isEqualTo("0.0.0.0");
    assertThat(settings.loopbackOnly()).isFalse();
  }

  @Test
  void shouldRefuseAnAddressOfAnotherMachine() {
    // 192.0.2.0/24 is reserved for documentation: no interface here has it.
    assertThatThrownBy(() -> LocalSettings.fromEnvironment(Map.of(
            "ORCA_DATA_DIR", dataDir.toString(), "ORCA_HTTP_ADDRESS", "192.0.2.10")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_HTTP_ADDRESS is not an address of this machine");
  }

  @Test
  void shouldNameTheVariableThatIsNotAnAddress() {
    assertThatThrownBy(() -> LocalSettings.fromEnvironment(Map.of(
            "ORCA_DATA_DIR", dataDir.toString(), "ORCA_HTTP_ADDRESS", "not an address")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_HTTP_ADDRESS");
  }
}
