package dev.orca.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncStreamSettingsTest {

  @Test
  void shouldPinSshHostKeysUnderTheDataDirAndReadTheOperatorsKnownHosts() {
    SyncStreamSettings settings = SyncStreamSettings.fromEnvironment(Map.of(
        "ORCA_DATA_DIR", "/var/lib/orca", "ORCA_SSH_KNOWN_HOSTS", "/etc/orca/known_hosts"));

    assertThat(settings.sshHosts().pinned()).isEqualTo(Path.of("/var/lib/orca/ssh/known_hosts"));
    assertThat(settings.sshHosts().knownHosts()).isEqualTo(Path.of("/etc/orca/known_hosts"));
    assertThat(SyncStreamSettings.fromEnvironment(Map.of("ORCA_SSH_KNOWN_HOSTS", " ")).sshHosts().knownHosts())
        .as("a blank setting names no file").isNull();
  }
}
