package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppSecretTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldGenerateOnceOwnerOnlyAndReuse() throws Exception {
    String first = AppSecret.resolve(dataDir, null);
    assertThat(Base64.getDecoder().decode(first)).hasSize(48);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("app-secret"))))
        .isEqualTo("rw-------");
    assertThat(AppSecret.resolve(dataDir, "")).isEqualTo(first);
  }

  @Test
  void shouldPreferAnExplicitSecretAndStoreNothing() {
    assertThat(AppSecret.resolve(dataDir, "given")).isEqualTo("given");
    assertThat(dataDir.resolve("app-secret")).doesNotExist();
  }

  @Test
  void shouldRotateToANewSecretAndKeepTheOldOnesAsPrevious() throws Exception {
    assertThatThrownBy(() -> AppSecret.rotate(dataDir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("no app-secret in");
    String first = AppSecret.resolve(dataDir, null);
    assertThat(AppSecret.previous(dataDir)).isNull();
    AppSecret.rotate(dataDir);
    String second = AppSecret.resolve(dataDir, null);
    assertThat(second).isNotEqualTo(first);
    assertThat(AppSecret.previous(dataDir)).isEqualTo(first);
    AppSecret.rotate(dataDir);
    assertThat(AppSecret.previous(dataDir)).isEqualTo(first + "," + second);
    assertThat(java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("app-secret.previous")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("app-secret")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    // What the launcher hands the gateway and sync-stream.
    assertThat(LocalOrca.componentEnvironment(LocalSettings.of(dataDir), "k:1", "postgresql://x", AppSecret.resolve(dataDir, null),
        8080)).containsEntry("ORCA_APP_SECRET_PREVIOUS", first + "," + second);
  }
}
