package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.testsupport.GitHttpBackend;
import dev.orca.testsupport.GitRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching and browsing against git's own smart-HTTP server ({@code git http-backend}), not JGit's. */
class GitHttpBackendIntegrationTest {

  private static GitHttpBackend server;

  @TempDir
  Path cache;

  private JGitCommitSource source;
  private RemoteBrowser browser;

  @BeforeAll
  static void startServer() {
    if (GitHttpBackend.available()) {
      server = GitHttpBackend.start();
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Per test, so each is reported skipped (with why) on a machine without it, and fails under CI. */
  @BeforeEach
  void requireServer() {
    GitHttpBackend.require();
  }

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void shouldFetchResolveAndReadFromGitsOwnServerAndFollowNewCommits() throws Exception {
    GitRepo repo = server.createRepository("fetched");
    String first = repo.commit("deploy/compose.yaml", "services: {a: {}}\n", "first\n\nbody");
    source = new JGitCommitSource(cache.resolve("mirrors"), true, Duration.ofSeconds(30));
    GitRemote remote = GitRemote.anonymous("fetched", repo.url());

    try (CommitSource.Snapshot snapshot = source.fetch(remote)) {
      Commit head = snapshot.latest("main");
      assertThat(head).isEqualTo(new Commit(first, "first\n\nbody"));
      assertThat(snapshot.read(head, "deploy/compose.yaml")).hasValueSatisfying(
          bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("services: {a: {}}\n"));
    }
    String second = repo.commit("deploy/compose.yaml", "services: {b: {}}\n", "second");
    try (CommitSource.Snapshot snapshot = source.fetch(remote)) {
      assertThat(snapshot.latest("main").sha()).isEqualTo(second);
      assertThat(snapshot.isAncestor(first, second)).isTrue();
      assertThatThrownBy(() -> snapshot.latest("release")).isInstanceOf(GitException.class)
          .hasMessage("branch release not found");
    }
  }

  @Test
  void shouldListBranchesAndFilesAndSayWhenARepositoryIsMissing() throws Exception {
    GitRepo repo = server.createRepository("browsed");
    repo.commit("compose.yaml", "services: {}\n", "compose");
    repo.commit("dev", "dev/compose.yaml", "services: {}\n", "on dev");
    browser = new RemoteBrowser(cache.resolve("work"), true, Duration.ofSeconds(30));
    GitRemote remote = GitRemote.anonymous("browsed", repo.url());

    RemoteBrowser.Branches branches = browser.branches(remote);
    assertThat(branches.branches()).extracting(RemoteBrowser.Branch::name).containsExactlyInAnyOrder("main", "dev");
    assertThat(browser.tree(remote, "dev").files()).contains("compose.yaml", "dev/compose.yaml");

    String missing = "http://127.0.0.1:" + server.port() + "/git/nowhere/.git";
    assertThatThrownBy(() -> browser.branches(GitRemote.anonymous("nowhere", missing)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot list the branches of " + missing + ": ");
  }
}
