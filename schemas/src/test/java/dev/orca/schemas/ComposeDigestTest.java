package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.avro.DeploySettings;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ComposeDigestTest {

  private static final byte[] COMPOSE = "services:\n  web:\n    image: x:1\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldKeepTheDigestOfTheComposeFileAloneWhenItReferencesNoFile() {
    // SHA-256 of the bytes, as sync-stream sent before files travelled: no redeploy on upgrade.
    assertThat(ComposeDigest.of(COMPOSE, new TreeMap<>()))
        .isEqualTo("4fa3e283d6695f4f4a93751777f9102ffaab0f0a2470689c52053a431d8e5d8f");
  }

  @Test
  void shouldChangeWhenOnlyAFileChanges() {
    String before = ComposeDigest.of(COMPOSE, files("conf/app.conf", "v=1\n"));
    String after = ComposeDigest.of(COMPOSE, files("conf/app.conf", "v=2\n"));

    assertThat(before).isNotEqualTo(after).isNotEqualTo(ComposeDigest.sha256(COMPOSE));
    assertThat(ComposeDigest.of(COMPOSE, files("conf/app.conf", "v=1\n"))).isEqualTo(before);
  }

  @Test
  void shouldChangeWhenOnlyTheDeploySettingsChangeAndNotForDefaultSettings() {
    String plain = ComposeDigest.of(COMPOSE, new TreeMap<>());

    assertThat(ComposeDigest.of(COMPOSE, new TreeMap<>(), null)).isEqualTo(plain);
    assertThat(ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder().build())).isEqualTo(plain);
    String selfHeal = ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder().setSelfHeal(true).build());
    String env = ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder()
        .setEnvironment(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3})).build());
    String otherEnv = ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder()
        .setEnvironment(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 4})).build());
    String imageChecks = ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder()
        .setImagePollIntervalSeconds(120).build());
    String removeSuperseded = ComposeDigest.of(COMPOSE, new TreeMap<>(), DeploySettings.newBuilder()
        .setRemoveSupersededImages(true).build());
    assertThat(java.util.List.of(plain, selfHeal, env, otherEnv, imageChecks, removeSuperseded)).doesNotHaveDuplicates();
  }

  @Test
  void shouldTellApartFilesWhoseBytesConcatenateAlike() {
    assertThat(ComposeDigest.of(COMPOSE, files("ab", "c"))).isNotEqualTo(ComposeDigest.of(COMPOSE, files("a", "bc")));
    assertThat(ComposeDigest.of(COMPOSE, files("a", "", "b", "x")))
        .isNotEqualTo(ComposeDigest.of(COMPOSE, files("a", "b", "x", "")));
    assertThat(ComposeDigest.of(COMPOSE, files("a", "x")))
        .isNotEqualTo(ComposeDigest.of(COMPOSE, files("a", "x", "b", "")));
  }

  private static SortedMap<String, byte[]> files(String... pathsAndContents) {
    SortedMap<String, byte[]> files = new TreeMap<>();
    for (int i = 0; i < pathsAndContents.length; i += 2) {
      files.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return files;
  }
}
