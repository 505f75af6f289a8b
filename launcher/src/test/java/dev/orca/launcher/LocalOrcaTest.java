package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOrcaTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldBindTheGatewayToLoopbackByDefault() {
    Map<String, Object> gateway = gatewayFor(LocalSettings.of(dataDir), 8080);
    assertThat(gateway).containsEntry("server.address", "127.0.0.1").containsEntry("server.port", "8080")
        .containsEntry("orca.public-url", "http://localhost:8080");
  }

  @Test
  void shouldBindTheGatewayToTheGivenAddress() {
    Map<String, Object> everywhere = gatewayFor(LocalSettings.of(dataDir).withHttp("0.0.0.0", 0), 9000);
    assertThat(everywhere).containsEntry("server.address", "0.0.0.0")
        .containsEntry("orca.public-url", "http://localhost:9000");

    Map<String, Object> oneInterface = gatewayFor(LocalSettings.of(dataDir).withHttp("192.0.2.10", 0), 9000);
    assertThat(oneInterface).containsEntry("server.address", "192.0.2.10")
        .containsEntry("orca.public-url", "http://192.0.2.10:9000");
  }

  @Test
  void shouldKeepAnExplicitPublicUrl() {
    LocalSettings settings = LocalSettings.of(dataDir).withHttp("0.0.0.0", 0)
        .withEnvironment(Map.of("ORCA_PUBLIC_URL", "https://orca.example.com"));
    assertThat(gatewayFor(settings, 9000)).containsEntry("orca.public-url", "https://orca.example.com");
  }

  @Test
  void shouldGiveTheGatewayTheDataDirAndTheSshKnownHosts() {
    LocalSettings settings = LocalSettings.of(dataDir)
        .withEnvironment(Map.of("ORCA_SSH_KNOWN_HOSTS", "/etc/orca/known_hosts"));
    assertThat(gatewayFor(settings, 9000)).containsEntry("orca.data-dir", dataDir.toString())
        .containsEntry("orca.ssh-known-hosts", "/etc/orca/known_hosts");
  }

  @Test
  void shouldBracketAnIpv6PublicHost() {
    assertThat(LocalOrca.publicHost("2001:db8::1")).isEqualTo("[2001:db8::1]");
    assertThat(LocalOrca.publicHost("::")).isEqualTo("localhost");
    assertThat(LocalOrca.publicHost("::1")).isEqualTo("localhost");
  }

  private static Map<String, Object> gatewayFor(LocalSettings settings, int httpPort) {
    return LocalOrca.gatewayProperties(
        LocalOrca.componentEnvironment(settings, "127.0.0.1:19092", "postgresql://u:p@127.0.0.1:5432/orca", "s", httpPort));
  }
}
