package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

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
}
