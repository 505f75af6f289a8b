package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Branches and trees of real remotes (JGit's smart-HTTP server), with and without credentials. */
class RemoteBrowserTest {

  private static final String USER = "deploy-bot";
  private static final String PASSWORD = "s3cr3t-pa55word";
  private static GitServer server;
  private static GitServer privateServer;
  private static int repositories;

  @TempDir
  Path work;

  private RemoteBrowser browser;

  @BeforeAll
  static void startServers() {
    server = GitServer.start();
    privateServer = GitServer.startWithBasicAuth(USER, PASSWORD);
  }

  @AfterAll
  static void stopServers() {
    server.close();
    privateServer.close();
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void shouldListBranchesWithTheirHeadsAndTheDefaultBranch() throws Exception {
    GitRepo repo = server.createRepository("branches-" + ++repositories);
    String release = repo.commit("release/2026", "compose.yaml", "services: {a: {}}\n", "release");
    // The served repository's HEAD follows its checkout, which is main again after this.
    String main = repo.commit("compose.yaml", "services: {}\n", "main");

    RemoteBrowser.Branches branches = browser(true).branches(GitRemote.anonymous("r", repo.url()));

    assertThat(branches.branches()).containsExactly(new RemoteBrowser.Branch("main", main),
        new RemoteBrowser.Branch("release/2026", release));
    assertThat(branches.defaultBranch()).isEqualTo("main");
  }

  @Test
  void shouldListTheFilesOfABranchHeadAndLeaveNothingBehind() throws Exception {
    GitRepo repo = server.createRepository("tree-" + ++repositories);
    repo.commit("README.md", "stacks\n", "readme");
    repo.commit("web/compose.yaml", "services: {}\n", "web");
    String head = repo.commit("db/docker-compose.yml", "services: {}\n", "db");
    repo.commit("dev", "dev/compose.yaml", "services: {}\n", "dev only");

    RemoteBrowser.Tree tree = browser(true).tree(GitRemote.anonymous("r", repo.url()), "main");

    assertThat(tree.branch()).isEqualTo("main");
    assertThat(tree.commit()).isEqualTo(head);
    assertThat(tree.files()).containsExactly("README.md", "db/docker-compose.yml", "web/compose.yaml");
    assertThat(tree.truncated()).isFalse();
    try (var left = Files.list(work)) {
      assertThat(left).as("working repositories are deleted").isEmpty();
    }
    assertThatThrownBy(() -> browser.tree(GitRemote.anonymous("r", repo.url()), "release"))
        .isInstanceOf(GitException.class).hasMessage("branch release not found");
    assertThatThrownBy(() -> browser.tree(GitRemote.anonymous("r", repo.url()), "bad..name"))
        .isInstanceOf(GitException.class).hasMessage("'bad..name' is not a branch name");
  }

  @Test
  void shouldUseTheCredentialsAndSayClearlyWhenTheyAreWrong() throws Exception {
    GitRepo repo = privateServer.createRepository("private-" + ++repositories);
    String head = repo.commit("compose.yaml", "services: {}\n", "private");
    String url = repo.url();

    assertThat(browser(true).branches(new GitRemote("r", url, "basic", USER, PASSWORD)).branches())
        .containsExactly(new RemoteBrowser.Branch("main", head));
    assertThatThrownBy(() -> browser.branches(new GitRemote("r", url, "basic", USER, "wrong")))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot list the branches of " + url + ": ")
        .hasMessageNotContaining("wrong");
    assertThatThrownBy(() -> browser.branches(GitRemote.anonymous("r", url)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot list the branches of " + url + ": ");
  }

  @Test
  void shouldFailWithinTheTimeoutWhenTheServerIsUnreachableOrRefused() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/git/gone";
    RemoteBrowser browsing = browser(true);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        browsing.branches(GitRemote.anonymous("r", url)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot list the branches of " + url + ": "));

    browser.close();
    RemoteBrowser refusing = browser(false);
    for (String local : List.of(url, "file:///srv/git/stacks")) {
      assertThatThrownBy(() -> refusing.branches(GitRemote.anonymous("r", local)))
          .isInstanceOf(GitException.class).hasMessageMatching(".*is refused(: host 127.0.0.1 is loopback| \\(ORCA_ALLOW_LOCAL_GIT is not enabled\\)).*");
    }
  }

  private RemoteBrowser browser(boolean allowLocalGit) {
    browser = new RemoteBrowser(work, allowLocalGit, Duration.ofSeconds(10));
    return browser;
  }
}
