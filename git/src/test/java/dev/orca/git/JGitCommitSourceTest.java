package dev.orca.git;

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

  private static final String USER = "deployer";
  private static final String PASSWORD = "s3cr3t-Passw0rd";

  private static GitServer server;
  private static GitServer privateServer;
  private static int repositories;

  @TempDir
  Path cache;

  private JGitCommitSource git;

  @BeforeAll
  static void startServer() {
    server = GitServer.start();
    privateServer = GitServer.startWithBasicAuth(USER, PASSWORD);
  }

  @AfterAll
  static void stopServer() {
    server.close();
    privateServer.close();
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
  void shouldCountHowFarABranchIsAheadOfACommit() throws Exception {
    GitRepo repo = newRepository();
    String pinned = repo.commit("compose.yaml", "services: {}\n", "first");
    repo.commit("compose.yaml", "services: {a: {}}\n", "second");
    repo.commit("README", "x\n", "third");
    String head = repo.commit("compose.yaml", "services: {b: {}}\n", "fourth");

    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      assertThat(snapshot.commitsAhead(pinned, head, 100)).hasValue(3);
      assertThat(snapshot.commitsAhead(pinned, head, 2)).hasValue(2);
      assertThat(snapshot.commitsAhead(head, head, 100)).hasValue(0);
      // The pinned commit newer than the branch (a force-push rewound it): the branch is ahead by nothing.
      assertThat(snapshot.commitsAhead(head, pinned, 100)).hasValue(0);
      assertThat(snapshot.commitsAhead("0".repeat(40), head, 100)).isEmpty();
      assertThat(snapshot.commitsAhead("not a sha", head, 100)).isEmpty();
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
  void shouldReadManyFilesInOnePassAsReadWouldOneByOne() throws Exception {
    GitRepo repo = newRepository();
    repo.commitFiles(java.util.Map.of("apps/a/compose.yaml", "a\n", "apps/b/compose.yaml", "b\n",
        "compose.yaml", "root\n"), "three files");
    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      Commit head = snapshot.latest("main");
      java.util.List<String> paths = java.util.List.of("apps/a/compose.yaml", "./apps/b/compose.yaml",
          "/compose.yaml", "apps/missing.yaml", "apps", "");
      java.util.Map<String, java.util.Optional<byte[]>> files = snapshot.readAll(head, paths);
      assertThat(files.keySet()).containsExactlyInAnyOrderElementsOf(paths);
      for (String path : paths) {
        assertThat(files.get(path).map(b -> new String(b, StandardCharsets.UTF_8)))
            .as(path).isEqualTo(snapshot.read(head, path).map(b -> new String(b, StandardCharsets.UTF_8)));
      }
      assertThat(files.get("./apps/b/compose.yaml")).hasValueSatisfying(
          bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("b\n"));
    }
  }

  @Test
  void shouldListTheFilesAtOrUnderAPathWithTheirSizes() throws Exception {
    GitRepo repo = newRepository();
    repo.commitFiles(java.util.Map.of("apps/shop/compose.yaml", "services: {}\n", "apps/shop/conf/app.conf", "a=1\n",
        "apps/shop/conf/nested/more.conf", "b=22\n", "apps/shop-other/x", "x\n", "apps/shop/.env", "K=v\n"),
        "an application with its files");
    // A symbolic link is not a file: its content would be the link's target, not what it points to.
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(repo.directory().toFile())) {
      java.nio.file.Files.createSymbolicLink(repo.directory().resolve("apps/shop/conf/link.conf"),
          Path.of("app.conf"));
      git.add().addFilepattern("apps/shop/conf/link.conf").call();
      git.commit().setMessage("a link").setSign(false).call();
    }

    try (CommitSource.Snapshot snapshot = source(true).fetch(remote(repo))) {
      Commit head = snapshot.latest("main");
      assertThat(snapshot.listFiles(head, "apps/shop/conf", 100)).containsExactly(
          java.util.Map.entry("apps/shop/conf/app.conf", 4L), java.util.Map.entry("apps/shop/conf/nested/more.conf", 5L));
      assertThat(snapshot.listFiles(head, "./apps/shop/conf/", 100)).hasSize(2);
      assertThat(snapshot.listFiles(head, "apps/shop/.env", 100)).containsExactly(
          java.util.Map.entry("apps/shop/.env", 4L));
      assertThat(snapshot.listFiles(head, "apps/shop", 100)).containsOnlyKeys("apps/shop/.env",
          "apps/shop/compose.yaml", "apps/shop/conf/app.conf", "apps/shop/conf/nested/more.conf");
      assertThat(snapshot.listFiles(head, "", 100)).containsKeys("README.md", "apps/shop-other/x");
      assertThat(snapshot.listFiles(head, "apps/shop/missing", 100)).isEmpty();
      assertThat(snapshot.listFiles(head, "apps/shop/conf/link.conf", 100)).isEmpty();
      assertThat(snapshot.listFiles(head, "apps", 1)).as("one more than the limit, then it stops").hasSize(2);
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
        assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("gone", url)))
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
        GitRemote.anonymous("gone", "http://ghp_s3cr3t@127.0.0.1:" + closedPort + "/git/gone")))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot fetch " + hidden + ": ")
        .hasMessageNotContaining("s3cr3t"));
    JGitCommitSource refusing = new JGitCommitSource(cache, false, Duration.ofSeconds(5));
    refusing.close();
    assertThatThrownBy(() -> refusing.fetch(
        GitRemote.anonymous("gone", "http://user:s3cr3t@127.0.0.1:" + closedPort + "/git/gone")))
        .isInstanceOf(GitException.class)
        .hasMessage("repository URL " + hidden + " is refused: host 127.0.0.1 is loopback: allowed only in local mode"
            + " (ORCA_ALLOW_LOCAL_GIT) or with ORCA_EGRESS_ALLOW");
  }

  @Test
  void shouldGiveUpOnASilentServerWithinTheTimeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/git/silent";
      JGitCommitSource source = source(true, Duration.ofSeconds(1));

      assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
          assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("silent", url)))
              .isInstanceOf(GitException.class).hasMessageContaining(url));
    }
  }

  @Test
  void shouldUseTheMirrorAgainAfterAFetchTimedOut() throws Exception {
    GitRepo repo = newRepository();
    String sha = repo.commit("compose.yaml", "services: {}\n", "first");
    JGitCommitSource source = source(true, Duration.ofSeconds(1));
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      GitRemote hanging = GitRemote.anonymous("moved", "http://127.0.0.1:" + silent.getLocalPort() + "/git/x");
      assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
          assertThatThrownBy(() -> source.fetch(hanging)).isInstanceOf(GitException.class)
              .hasMessageContaining("timed out"));
    }
    try (CommitSource.Snapshot snapshot = source.fetch(GitRemote.anonymous("moved", repo.url()))) {
      assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
    }
  }

  @Test
  void shouldFetchIntoAMirrorThatAKilledFetchLeftLockAndTemporaryFilesIn() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "first");
    JGitCommitSource source = source(true);
    GitRemote remote = GitRemote.anonymous("killed", repo.url());
    source.fetch(remote).close();
    Path mirror = cache.resolve("killed.git");
    // What a process killed in the middle of a fetch leaves: ref and repository locks, a partial pack.
    java.nio.file.Files.writeString(mirror.resolve("refs/heads/main.lock"), "0".repeat(40) + "\n");
    java.nio.file.Files.writeString(mirror.resolve("packed-refs.lock"), "");
    java.nio.file.Files.writeString(mirror.resolve("objects/pack/incoming_1234.pack"), "PACK partial");
    String next = repo.commit("compose.yaml", "services: {a: {}}\n", "second");

    try (CommitSource.Snapshot snapshot = source.fetch(remote)) {
      assertThat(snapshot.latest("main").sha()).isEqualTo(next);
    }
    assertThat(mirror.resolve("refs/heads/main.lock")).doesNotExist();
    assertThat(mirror.resolve("objects/pack/incoming_1234.pack")).doesNotExist();
  }

  @Test
  void shouldRepackAMirrorInTheBackgroundSoItDoesNotGrowByAPackPerFetch() throws Exception {
    GitRepo repo = newRepository();
    JGitCommitSource source = source(true);
    GitRemote remote = GitRemote.anonymous("busy", repo.url());
    String first = repo.commit("compose.yaml", "services: {v0: {}}\n", "commit 0");
    int fetches = 2 * JGitCommitSource.MAX_PACKS;
    String last = first;
    for (int i = 1; i <= fetches; i++) {
      last = repo.commit("compose.yaml", "services: {v" + i + ": {}}\n", "commit " + i);
      source.fetch(remote).close();
    }
    source.awaitMaintenance();

    assertThat(source.packCount("busy")).isBetween(1, JGitCommitSource.MAX_PACKS);
    try (CommitSource.Snapshot snapshot = source.fetch(remote)) {
      Commit head = snapshot.latest("main");
      assertThat(head.sha()).isEqualTo(last);
      assertThat(snapshot.isAncestor(first, last)).isTrue();
      assertThat(snapshot.read(snapshot.commit(first), "compose.yaml")).hasValueSatisfying(
          bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("services: {v0: {}}\n"));
    }
  }

  @Test
  void shouldRemoveTheMirrorOfAForgottenRepository() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "first");
    JGitCommitSource source = source(true);
    source.fetch(GitRemote.anonymous("deleted", repo.url())).close();
    assertThat(cache.resolve("deleted.git")).isDirectory();

    source.forget("deleted");
    source.awaitMaintenance();

    assertThat(cache.resolve("deleted.git")).doesNotExist();
    source.forget("../escape");
    source.awaitMaintenance();
    assertThat(cache).isDirectory();
  }

  @Test
  void shouldRefuseLocalRemotesUnlessLocalGitIsAllowed() {
    GitRepo repo = newRepository();
    JGitCommitSource source = source(false);

    String loopback = " is loopback: allowed only in local mode (ORCA_ALLOW_LOCAL_GIT) or with ORCA_EGRESS_ALLOW";
    assertThatThrownBy(() -> source.fetch(remote(repo))).isInstanceOf(GitException.class)
        .hasMessage("repository URL " + repo.url() + " is refused: host 127.0.0.1" + loopback);
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "file:///srv/git/repo.git")))
        .isInstanceOf(GitException.class).hasMessageStartingWith("local repository URL file:///srv/git/repo.git");
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "/srv/git/repo.git")))
        .isInstanceOf(GitException.class).hasMessageStartingWith("local repository URL");
    // ssh remotes, in both spellings: the scp-like one names its host before the colon.
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "ssh://git@127.0.0.1:2222/srv/repo.git")))
        .isInstanceOf(GitException.class)
        .hasMessage("repository URL ssh://***@127.0.0.1:2222/srv/repo.git is refused: host 127.0.0.1" + loopback);
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "git@localhost:srv/repo.git")))
        .isInstanceOf(GitException.class).hasMessage("repository URL git@localhost:srv/repo.git is refused: host localhost"
            + " is loopback: allowed only in local mode (ORCA_ALLOW_LOCAL_GIT)");
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "root@127.0.0.1:/srv/repo.git")))
        .isInstanceOf(GitException.class).hasMessageContaining("host 127.0.0.1" + loopback);
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "git@0x7f000001:srv/repo.git")))
        .isInstanceOf(GitException.class).hasMessageContaining("host 0x7f000001" + loopback);
    // Transports other than http(s) and ssh are never used, whatever their host.
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "git://github.com/orca/repo.git")))
        .isInstanceOf(GitException.class).hasMessageEndingWith("is refused: only http(s) and ssh remotes");
    assertThatThrownBy(() -> source.fetch(GitRemote.anonymous("r", "sftp://github.com/orca/repo.git")))
        .isInstanceOf(GitException.class).hasMessageEndingWith("is refused: only http(s) and ssh remotes");
  }

  @Test
  void shouldFetchAPrivateRepositoryWithAToken() throws Exception {
    try (GitServer tokenServer = GitServer.startWithBasicAuth(GitCalls.TOKEN_USER, "ghp_t0ken")) {
      String sha = tokenServer.createRepository("private").commit("compose.yaml", "v1\n", "private");
      String url = "http://127.0.0.1:" + tokenServer.port() + "/git/private";

      try (CommitSource.Snapshot snapshot = source(true).fetch(
          new GitRemote("private-token", url, "token", null, "ghp_t0ken"))) {
        assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
      }
    }
  }

  @Test
  void shouldFetchAPrivateRepositoryWithATokenAndAUserName() throws Exception {
    try (GitServer tokenServer = GitServer.startWithBasicAuth("oauth2", "glpat-t0ken")) {
      String sha = tokenServer.createRepository("private").commit("compose.yaml", "v1\n", "private");
      String url = "http://127.0.0.1:" + tokenServer.port() + "/git/private";

      try (CommitSource.Snapshot snapshot = source(true).fetch(
          new GitRemote("private-token-user", url, "token", "oauth2", "glpat-t0ken"))) {
        assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
      }
    }
  }

  @Test
  void shouldFetchAPrivateRepositoryWithBasicAuthentication() throws Exception {
    String sha = privateServer.createRepository("basic").commit("compose.yaml", "v1\n", "private");

    try (CommitSource.Snapshot snapshot = source(true).fetch(
        new GitRemote("private-basic", privateUrl("basic"), "basic", USER, PASSWORD))) {
      assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
    }
  }

  @Test
  void shouldFailClearlyWithoutLeakingTheSecretWhenThePasswordIsWrong() {
    privateServer.createRepository("wrong");
    String url = privateUrl("wrong");
    JGitCommitSource source = source(true, Duration.ofSeconds(10));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> source.fetch(
        new GitRemote("private-wrong", url, "basic", USER, "wr0ng-Passw0rd")))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot fetch " + url + ": ")
        .hasMessageContaining("not authorized").hasMessageNotContaining("wr0ng-Passw0rd"));
  }

  @Test
  void shouldFailClearlyWhenAProtectedRepositoryIsFetchedWithoutCredentials() {
    privateServer.createRepository("anonymous");
    String url = privateUrl("anonymous");
    JGitCommitSource source = source(true, Duration.ofSeconds(10));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> source.fetch(
        GitRemote.anonymous("private-anonymous", url)))
        .isInstanceOf(GitException.class).hasMessageStartingWith("cannot fetch " + url + ": ")
        .hasMessageContaining("uthentication is required"));
  }

  @Test
  void shouldRefuseMismatchedAndIncompleteCredentialsBeforeTouchingTheNetwork() {
    JGitCommitSource source = source(true);
    String url = privateUrl("never-created");

    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "ssh", "git", "-----BEGIN KEY-----")))
        .isInstanceOf(GitException.class)
        .hasMessage("repository r uses ssh authentication, which needs an ssh URL (ssh://host/path or user@host:path)")
        .hasMessageNotContaining("BEGIN");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "token", null, null)))
        .isInstanceOf(GitException.class).hasMessage("repository r uses token authentication but has no secret (a token)");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "basic", null, PASSWORD)))
        .isInstanceOf(GitException.class).hasMessage("repository r uses basic authentication but has no username")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void shouldNeverShowTheSecretOfARemote() {
    assertThat(new GitRemote("r", "https://git.example/r.git", "basic", USER, PASSWORD).toString())
        .doesNotContain(PASSWORD).contains(USER, "secret=***");
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

  private static String privateUrl(String name) {
    return "http://127.0.0.1:" + privateServer.port() + "/git/" + name;
  }

  private static GitRemote remote(GitRepo repo) {
    return GitRemote.anonymous("repo-" + repositories, repo.url());
  }
}
