package dev.orca.sync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JGitCommitSourceTest {

  private static GitServer server;
  private static int repositories;

  @TempDir
  Path cache;

  private JGitCommitSource git;

  @BeforeAll
  static void startServer() {
    server = GitServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeSource() {
    if (git != null) {
      git.close();
    }
  }

  @Test
  void shouldResolveTheLatestCommitOfABranch() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "first");
    String latest = repo.commit("compose.yaml", "services: {a: {}}\n", "second line one\n\nbody");
    String other = repo.commit("dev", "compose.yaml", "dev\n", "on dev");

    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      assertThat(snapshot.latest("main")).isEqualTo(new Commit(latest, "second line one\n\nbody"));
      assertThat(snapshot.latest("dev").sha()).isEqualTo(other);
      assertThatThrownBy(() -> snapshot.latest("release")).isInstanceOf(GitException.class)
          .hasMessage("branch release not found");
    }
  }

  @Test
  void shouldReadAFileAtACommit() throws Exception {
    GitRepo repo = newRepository();
    String first = repo.commit("deploy/compose.yaml", "version: 1\n", "first");
    repo.commit("deploy/compose.yaml", "version: 2\n", "second");

    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      Commit commit = snapshot.commit(first);
      assertThat(snapshot.read(commit, "deploy/compose.yaml")).hasValueSatisfying(
          bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("version: 1\n"));
      assertThat(snapshot.read(commit, "/deploy/compose.yaml")).isPresent();
      assertThat(snapshot.read(commit, "missing.yaml")).isEmpty();
      assertThat(snapshot.read(commit, "deploy")).isEmpty();
    }
  }

  @Test
  void shouldResolveEveryBranchAgainstOneFetchPerSync() throws Exception {
    GitRepo repo = newRepository();
    String before = repo.commit("compose.yaml", "v1\n", "before");
    JGitCommitSource source = source(true);

    try (CommitSource.Snapshot snapshot = source.fetch(remote(repo))) {
      String after = repo.commit("compose.yaml", "v2\n", "after");
      // Resolving and reading never go back to the network: the snapshot is the one fetch.
      assertThat(snapshot.latest("main").sha()).isEqualTo(before);
      assertThat(snapshot.latest("main").sha()).isEqualTo(before);

      try (CommitSource.Snapshot next = source.fetch(remote(repo))) {
        assertThat(next.latest("main").sha()).isEqualTo(after);
      }
    }
    assertThat(cache.resolve("repo-" + repositories + ".git").resolve("HEAD")).exists();
  }

  @Test
  void shouldResolveAStaticCommit() throws Exception {
    GitRepo repo = newRepository();
    String pushed = repo.commit("compose.yaml", "v1\n", "pushed");
    repo.commit("compose.yaml", "v2\n", "later");

    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      assertThat(snapshot.commit(pushed)).isEqualTo(new Commit(pushed, "pushed"));
      assertThat(snapshot.commit(pushed.substring(0, 10)).sha()).isEqualTo(pushed);
      assertThatThrownBy(() -> snapshot.commit("0123456789abcdef0123456789abcdef01234567"))
          .isInstanceOf(GitException.class).hasMessageContaining("not found");
      assertThatThrownBy(() -> snapshot.commit("main~1")).isInstanceOf(GitException.class)
          .hasMessage("'main~1' is not a commit SHA");
    }
  }

  @Test
  void shouldFailClearlyWhenTheServerIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/git/gone";
    JGitCommitSource source = source(true, Duration.ofSeconds(5));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        assertThatThrownBy(() -> source.fetch(new GitRemote("gone", url, "none", null)))
            .isInstanceOf(GitException.class).hasMessageStartingWith("cannot fetch " + url + ": "));
  }

  @Test
  void shouldRedactCredentialsOfTheRemoteUrlInErrors() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String hidden = "http://***@127.0.0.1:" + closedPort + "/git/gone";
    JGitCommitSource allowing = source(true, Duration.ofSeconds(5));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> allowing.fetch(
        new GitRemote("gone", "http://ghp_s3cr3t@127.0.0.1:" + closedPort + "/git/gone", "none", null)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot fetch " + hidden + ": ")
        .hasMessageNotContaining("s3cr3t"));
    JGitCommitSource refusing = new JGitCommitSource(cache, false, Duration.ofSeconds(5));
    refusing.close();
    assertThatThrownBy(() -> refusing.fetch(
        new GitRemote("gone", "http://user:s3cr3t@127.0.0.1:" + closedPort + "/git/gone", "none", null)))
        .isInstanceOf(GitException.class)
        .hasMessage("loopback repository URL " + hidden + " is refused (ORCA_ALLOW_LOCAL_GIT is not enabled)");
  }

  @Test
  void shouldGiveUpOnASilentServerWithinTheTimeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/git/silent";
      JGitCommitSource source = source(true, Duration.ofSeconds(1));

      assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
          assertThatThrownBy(() -> source.fetch(new GitRemote("silent", url, "none", null)))
              .isInstanceOf(GitException.class).hasMessageContaining(url));
    }
  }

  @Test
  void shouldRefuseLocalRemotesUnlessLocalGitIsAllowed() {
    GitRepo repo = newRepository();
    JGitCommitSource source = source(false);

    assertThatThrownBy(() -> source.fetch(remote(repo))).isInstanceOf(GitException.class)
        .hasMessage("loopback repository URL " + repo.url() + " is refused (ORCA_ALLOW_LOCAL_GIT is not enabled)");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", "file:///srv/git/repo.git", "none", null)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("local repository URL file:///srv/git/repo.git");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", "/srv/git/repo.git", "none", null)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("local repository URL");
  }

  @Test
  void shouldRecognizeLoopbackHostsWithoutResolvingThem() {
    assertThat(RemotePolicy.isLoopback("localhost")).isTrue();
    assertThat(RemotePolicy.isLoopback("git.localhost")).isTrue();
    assertThat(RemotePolicy.isLoopback("127.0.0.1")).isTrue();
    assertThat(RemotePolicy.isLoopback("127.8.9.10")).isTrue();
    assertThat(RemotePolicy.isLoopback("127.1")).isTrue();
    assertThat(RemotePolicy.isLoopback("[::1]")).isTrue();
    assertThat(RemotePolicy.isLoopback("::ffff:127.0.0.1")).isTrue();
    assertThat(RemotePolicy.isLoopback("github.com")).isFalse();
    assertThat(RemotePolicy.isLoopback("10.0.0.5")).isFalse();
    assertThat(RemotePolicy.isLoopback("[2001:db8::1]")).isFalse();
  }

  @Test
  void shouldRefuseAuthenticationItCannotDecryptYet() {
    GitRepo repo = newRepository();

    assertThatThrownBy(() -> source(true).fetch(new GitRemote("r", repo.url(), "token", null)))
        .isInstanceOf(GitException.class)
        .hasMessage("authentication method token is not supported yet by sync-stream");
  }

  private JGitCommitSource source(boolean allowLocalGit) {
    return source(allowLocalGit, Duration.ofSeconds(30));
  }

  private JGitCommitSource source(boolean allowLocalGit, Duration timeout) {
    git = new JGitCommitSource(cache, allowLocalGit, timeout);
    return git;
  }

  private static synchronized GitRepo newRepository() {
    return server.createRepository("repo-" + ++repositories);
  }

  private static GitRemote remote(GitRepo repo) {
    return new GitRemote("repo-" + repositories, repo.url(), "none", null);
  }
}
