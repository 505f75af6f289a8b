package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplicationFilesTest {

  private static final String APP = "app-1";

  @TempDir Path deployments;

  private DeploymentsDir dirs() {
    return new DeploymentsDir(deployments);
  }

  @Test
  void shouldRefusePathsOutsideTheDirectoryOrOnTheAgentsOwnFiles() {
    assertThat(ApplicationFiles.refusal(Set.of("web.env", "conf/app.conf", "db/docker-compose.yml", "db/.env")))
        .isEmpty();
    assertThat(ApplicationFiles.refusal(Set.of("/etc/passwd"))).hasValue(
        "refused the application's files: '/etc/passwd' is absolute");
    assertThat(ApplicationFiles.refusal(Set.of("../x", "conf/../../x", "conf/.."))).hasValue(
        "refused the application's files: '../x' leads above the application's directory; 'conf/..' leads above"
            + " the application's directory; 'conf/../../x' leads above the application's directory");
    assertThat(ApplicationFiles.refusal(Set.of("./x", "a//b", "conf/", ""))).hasValue(
        "refused the application's files: '' is empty; './x' is not a normalized relative path; 'a//b' is not a "
            + "normalized relative path; 'conf/' is not a normalized relative path");
    assertThat(ApplicationFiles.refusal(Set.of("docker-compose.yml", ".env", ".orca-state", ".orca-files/x")))
        .hasValue("refused the application's files: '.env' would replace the agent's own .env; '.orca-files/x' would"
            + " replace the agent's own .orca-files; '.orca-state' would replace the agent's own .orca-state; "
            + "'docker-compose.yml' would replace the agent's own docker-compose.yml");
    assertThat(ApplicationFiles.refusal(Set.of("line\nbreak"))).hasValue(
        "refused the application's files: 'line?break' holds a control character");
    assertThat(ApplicationFiles.refusal(Set.of("conf", "conf/app.conf"))).hasValue(
        "refused the application's files: 'conf' is both a file and the directory of 'conf/app.conf'");
  }

  @Test
  void shouldWriteTheFilesPrivatelyAndKeepAManifestOfThem() throws Exception {
    new ApplicationFiles(dirs()).write(APP, Map.of("web.env", bytes("A=1\n"), "conf/nested/app.conf", bytes("x\n")));

    Path dir = deployments.resolve(APP);
    assertThat(dir.resolve("web.env")).hasContent("A=1");
    assertThat(dir.resolve("conf/nested/app.conf")).hasContent("x");
    assertThat(permissions(dir)).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("conf"))).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("conf/nested"))).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("conf/nested/app.conf"))).isEqualTo("rw-------");
    assertThat(permissions(dir.resolve(DeploymentsDir.FILES_MANIFEST))).isEqualTo("rw-------");
    assertThat(Files.readAllLines(dir.resolve(DeploymentsDir.FILES_MANIFEST)))
        .containsExactly("conf/nested/app.conf", "web.env");
    try (var left = Files.walk(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".orca-tmp-"));
    }
  }

  @Test
  void shouldDeleteOnlyTheFilesThePreviousDeploymentWroteAndThisOneDrops() throws Exception {
    ApplicationFiles files = new ApplicationFiles(dirs());
    files.write(APP, Map.of("web.env", bytes("A=1\n"), "data/seed.sql", bytes("seed\n"), "old.conf", bytes("o\n")));
    Path dir = deployments.resolve(APP);
    Files.writeString(dir.resolve("data/written-by-the-container.db"), "rows");
    Files.writeString(dir.resolve("not-ours.txt"), "someone else's");

    files.write(APP, Map.of("web.env", bytes("A=2\n")));

    assertThat(dir.resolve("web.env")).hasContent("A=2");
    assertThat(dir.resolve("old.conf")).doesNotExist();
    assertThat(dir.resolve("data/seed.sql")).doesNotExist();
    assertThat(dir.resolve("data/written-by-the-container.db")).hasContent("rows");
    assertThat(dir.resolve("not-ours.txt")).hasContent("someone else's");
    assertThat(Files.readAllLines(dir.resolve(DeploymentsDir.FILES_MANIFEST))).containsExactly("web.env");

    files.write(APP, Map.of());

    assertThat(dir.resolve("web.env")).doesNotExist();
    assertThat(dir.resolve(DeploymentsDir.FILES_MANIFEST)).doesNotExist();
    assertThat(dir.resolve("data/written-by-the-container.db")).exists();
  }

  @Test
  void shouldWriteNothingForAnApplicationWithoutFiles() {
    new ApplicationFiles(dirs()).write(APP, Map.of());

    assertThat(deployments.resolve(APP)).doesNotExist();
  }

  @Test
  void shouldNeverFollowASymbolicLinkAContainerLeftInAMountedDirectory(@TempDir Path elsewhere) throws Exception {
    ApplicationFiles files = new ApplicationFiles(dirs());
    files.write(APP, Map.of("data/seed.sql", bytes("seed\n"), "data/link/victim.txt", bytes("mine\n")));
    Path dir = deployments.resolve(APP);
    Files.writeString(elsewhere.resolve("victim.txt"), "the host's");
    // The container replaced a directory of the application with a link to somewhere else on the host.
    Files.delete(dir.resolve("data/link/victim.txt"));
    Files.delete(dir.resolve("data/link"));
    Files.createSymbolicLink(dir.resolve("data/link"), elsewhere);

    files.write(APP, Map.of("data/seed.sql", bytes("seed\n")));
    assertThat(elsewhere.resolve("victim.txt")).as("a deletion does not go through the link").hasContent("the host's");

    assertThatThrownBy(() -> files.write(APP, Map.of("data/link/victim.txt", bytes("overwritten\n"))))
        .hasMessageContaining("data/link is a symbolic link in the application's directory; it is not followed");
    assertThat(elsewhere.resolve("victim.txt")).as("a write does not go through the link").hasContent("the host's");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
