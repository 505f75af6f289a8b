package dev.orca.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncStreamSettingsTest {

  @Test
  void shouldReadTheGitTimeoutAndWorkersAsTheGatewayReadsTheTimeout() {
    assertThat(SyncStreamSettings.fromEnvironment(Map.of()).gitTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(SyncStreamSettings.fromEnvironment(Map.of()).gitWorkers()).isEqualTo(16);
    assertThat(timeout("8s")).isEqualTo(Duration.ofSeconds(8));
    assertThat(timeout("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(timeout("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(timeout("250")).isEqualTo(Duration.ofMillis(250));
    assertThat(SyncStreamSettings.fromEnvironment(Map.of("ORCA_GIT_WORKERS", "4")).gitWorkers()).isEqualTo(4);
  }

  @Test
  void shouldRefuseATimeoutOrWorkerCountThatMakesNoSense() {
    assertThatThrownBy(() -> timeout("soon")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_GIT_TIMEOUT");
    assertThatThrownBy(() -> timeout("0s")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncStreamSettings.fromEnvironment(Map.of("ORCA_GIT_WORKERS", "0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ORCA_GIT_WORKERS");
  }

  @Test
  void shouldPinSshHostKeysUnderTheDataDirAndReadTheOperatorsKnownHosts() {
    SyncStreamSettings settings = SyncStreamSettings.fromEnvironment(Map.of(
        "ORCA_DATA_DIR", "/var/lib/orca", "ORCA_SSH_KNOWN_HOSTS", "/etc/orca/known_hosts"));

    assertThat(settings.sshHosts().pinned()).isEqualTo(Path.of("/var/lib/orca/ssh/known_hosts"));
    assertThat(settings.sshHosts().knownHosts()).isEqualTo(Path.of("/etc/orca/known_hosts"));
    assertThat(SyncStreamSettings.fromEnvironment(Map.of("ORCA_SSH_KNOWN_HOSTS", " ")).sshHosts().knownHosts())
        .as("a blank setting names no file").isNull();
  }

  private static Duration timeout(String value) {
    return SyncStreamSettings.fromEnvironment(Map.of("ORCA_GIT_TIMEOUT", value)).gitTimeout();
  }
}
