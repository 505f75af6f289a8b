package dev.orca.sync.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.git.Commit;
import dev.orca.git.CommitSource;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ApplicationFilesTest {

  private static final Commit COMMIT = new Commit("c0ffee0000000000000000000000000000000000", "files");

  private final Map<String, byte[]> tree = new LinkedHashMap<>();
  private int reads;

  @Test
  void shouldGatherEnvFilesMountedFilesAndEveryFileOfAMountedDirectory() throws Exception {
    file("apps/shop/web.env", "GREETING=hello\n");
    file("apps/shop/conf/app.conf", "v=1\n");
    file("apps/shop/html/index.html", "<h1>shop</h1>\n");
    file("apps/shop/html/img/logo.svg", "<svg/>\n");
    file("apps/shop/unreferenced.txt", "not sent\n");
    file("apps/other/conf/app.conf", "someone else's\n");
    String compose = """
        services:
          web:
            env_file: [web.env, missing.env]
            volumes:
              - ./conf/app.conf:/etc/app.conf:ro
              - ./html:/www
              - ./data:/data
              - /etc/hosts:/etc/host-hosts:ro
        """;

    SortedMap<String, byte[]> files = gather("apps/shop/compose.yaml", compose);

    assertThat(text(files)).containsExactly(Map.entry("conf/app.conf", "v=1\n"),
        Map.entry("html/img/logo.svg", "<svg/>\n"), Map.entry("html/index.html", "<h1>shop</h1>\n"),
        Map.entry("web.env", "GREETING=hello\n"));
  }

  @Test
  void shouldGatherTheDotEnvBesideTheComposeFileThatComposeReadsUnasked() throws Exception {
    file("apps/shop/.env", "TAG=1.2\n");
    file(".env", "ROOT=not this application's\n");
    file("apps/.env", "PARENT=nor this\n");

    assertThat(text(gather("apps/shop/compose.yaml", "services:\n  web:\n    image: shop:${TAG}\n")))
        .containsExactly(Map.entry(".env", "TAG=1.2\n"));
    assertThat(text(gather("apps/shop/compose.yaml", "services:\n  web:\n    env_file: .env\n")))
        .as("named as an env_file too: sent once").containsExactly(Map.entry(".env", "TAG=1.2\n"));
    assertThat(gather("apps/other/compose.yaml", "services:\n  web:\n    image: x:1\n")).isEmpty();
  }

  @Test
  void shouldGatherNothingForAComposeFileThatReferencesNoFile() throws Exception {
    file("compose.yaml", "services: {}\n");

    assertThat(gather("compose.yaml", "services:\n  web:\n    image: x:1\n")).isEmpty();
    assertThat(reads).isZero();
  }

  @Test
  void shouldLeaveTheComposeFileItselfOutOfAMountOfItsFolder() throws Exception {
    String compose = "services:\n  web:\n    volumes: ['.:/app:ro']\n";
    file("compose.yaml", compose);
    file("app.py", "print('hi')\n");

    assertThat(gather("./compose.yaml", compose)).containsOnlyKeys("app.py");
  }

  @Test
  void shouldFollowIncludesAndExtendsIntoTheFilesTheyReferenceRelativeToTheirOwnFolder() throws Exception {
    file("apps/shop/db/docker-compose.yml", """
        include: [../compose.yaml]
        services:
          db:
            env_file: db.env
            volumes: ['./init:/docker-entrypoint-initdb.d:ro']
        """);
    file("apps/shop/db/db.env", "POSTGRES_PASSWORD=x\n");
    file("apps/shop/db/init/01.sql", "create table t();\n");
    file("apps/shop/common/base.yaml", """
        services:
          base:
            env_file: ./base.env
            volumes: ['../conf/shared.conf:/etc/shared.conf']
        """);
    file("apps/shop/common/base.env", "LOG=info\n");
    file("apps/shop/conf/shared.conf", "shared\n");
    file("apps/shop/proxy/compose.yaml", "services:\n  proxy:\n    env_file: proxy.env\n");
    file("apps/shop/proxy-root/proxy.env", "FROM=project_directory\n");
    file("apps/shop/proxy/proxy.env", "FROM=file's folder, not used\n");
    String compose = """
        include:
          - db/docker-compose.yml
          - path: ./proxy/compose.yaml
            project_directory: ./proxy-root
        services:
          web:
            extends:
              file: common/base.yaml
              service: base
        """;
    file("apps/shop/compose.yaml", compose);

    SortedMap<String, byte[]> files = gather("apps/shop/compose.yaml", compose);

    assertThat(files).containsOnlyKeys("db/docker-compose.yml", "db/db.env", "db/init/01.sql", "common/base.yaml",
        "common/base.env", "conf/shared.conf", "proxy/compose.yaml", "proxy-root/proxy.env");
  }

  @Test
  void shouldFailWhenAPathLeadsAboveTheApplicationsFolder() {
    file("apps/shared/common.env", "A=1\n");
    String compose = "services:\n  web:\n    volumes: ['./conf/../../shared:/shared']\n";

    assertThatThrownBy(() -> gather("apps/shop/compose.yaml", compose))
        .isInstanceOf(ApplicationFilesException.class)
        .hasMessage("apps/shop/compose.yaml references ./conf/../../shared, which escapes the application's folder "
            + "apps/shop; only files below it are sent to the agent");
  }

  @Test
  void shouldNameTheIncludedFileWhoseReferenceLeadsAboveTheApplicationsFolder() {
    file("db/compose.yaml", "services:\n  db:\n    env_file: ../../secrets.env\n");

    assertThatThrownBy(() -> gather("compose.yaml", "include: [db/compose.yaml]\n"))
        .isInstanceOf(ApplicationFilesException.class)
        .hasMessage("db/compose.yaml references ../../secrets.env, which escapes the application's folder "
            + "(the repository's root); only files below it are sent to the agent");
  }

  @Test
  void shouldFailWithTheTotalAndTheLimitWhenTheFilesAreTooLarge() {
    file("assets/a.bin", "x".repeat(300 * 1024));
    file("assets/b.bin", "y".repeat(300 * 1024));
    String compose = "services:\n  web:\n    volumes: ['./assets:/assets']\n";

    assertThatThrownBy(() -> gather("compose.yaml", compose))
        .isInstanceOf(ApplicationFilesException.class)
        .hasMessage("compose file compose.yaml and the 2 files it references at " + COMMIT.sha() + " are 601 KiB "
            + "together, more than the limit of 512 KiB");
    assertThat(reads).as("nothing is read past the bound").isZero();
  }

  @Test
  void shouldFailWhenTheComposeFileReferencesTooManyFiles() {
    for (int i = 0; i <= ApplicationFiles.MAX_FILES; i++) {
      file("many/" + i, "");
    }

    assertThatThrownBy(() -> gather("compose.yaml", "services:\n  web:\n    volumes: ['./many:/many']\n"))
        .isInstanceOf(ApplicationFilesException.class)
        .hasMessage("compose file compose.yaml references more than 1000 files at " + COMMIT.sha()
            + ", the most an application may carry");
  }

  @Test
  void shouldStopFollowingIncludesThatIncludeEachOther() throws Exception {
    file("a.yaml", "include: [b.yaml]\nservices:\n  a:\n    env_file: a.env\n");
    file("b.yaml", "include: [a.yaml]\n");
    file("a.env", "A=1\n");

    assertThat(gather("compose.yaml", "include: [a.yaml]\n")).containsOnlyKeys("a.yaml", "b.yaml", "a.env");
  }

  private SortedMap<String, byte[]> gather(String composePath, String compose) throws Exception {
    return ApplicationFiles.gather(snapshot(), COMMIT, composePath, compose.getBytes(StandardCharsets.UTF_8));
  }

  private void file(String path, String content) {
    tree.put(path, content.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> text(SortedMap<String, byte[]> files) {
    Map<String, String> text = new LinkedHashMap<>();
    files.forEach((path, bytes) -> text.put(path, new String(bytes, StandardCharsets.UTF_8)));
    return text;
  }

  /** The tree of one commit, as JGitCommitSource answers for it. */
  private CommitSource.Snapshot snapshot() {
    return new CommitSource.Snapshot() {
      @Override
      public Commit latest(String branch) {
        return COMMIT;
      }

      @Override
      public Commit commit(String sha) {
        return COMMIT;
      }

      @Override
      public boolean isAncestor(String ancestor, String descendant) {
        return false;
      }

      @Override
      public Optional<byte[]> read(Commit commit, String path) {
        reads++;
        return Optional.ofNullable(tree.get(path));
      }

      @Override
      public SortedMap<String, Long> listFiles(Commit commit, String path, int limit) {
        SortedMap<String, Long> files = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : tree.entrySet()) {
          if (files.size() <= limit
              && (path.isEmpty() || file.getKey().equals(path) || file.getKey().startsWith(path + "/"))) {
            files.put(file.getKey(), (long) file.getValue().length);
          }
        }
        return files;
      }

      @Override
      public void close() {}
    };
  }
}
