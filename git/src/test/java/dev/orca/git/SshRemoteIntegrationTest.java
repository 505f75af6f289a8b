package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.SshGitServer;
import dev.orca.testsupport.SshKey;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.util.FS;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches, branches and trees over ssh against a real OpenSSH server on loopback
 * ({@link SshGitServer}): private keys, host keys pinned on first use, the operator's known_hosts,
 * and failures that say what is wrong without showing a key.
 */
class SshRemoteIntegrationTest {

  private static SshGitServer server;
  private static int repositories;

  @TempDir
  Path cache;

  @TempDir
  Path state;

  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (SshGitServer.available()) {
      server = SshGitServer.start();
    }
  }

  /** Per test, so that each one is reported skipped (with the reason) without sshd, or fails under CI. */
  @BeforeEach
  void requireSshd() {
    SshGitServer.require();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeSources() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void shouldFetchResolveAndReadOverSshWithAKeyAndPinTheHostKey() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("deploy/compose.yaml", "services: {}\n", "first");
    String latest = repo.commit("deploy/compose.yaml", "services: {web: {}}\n", "second");

    try (CommitSource.Snapshot snapshot = source(pinnedOnly()).fetch(keyed(repo.url(), server.clientKey()))) {
      Commit commit = snapshot.latest("main");
      assertThat(commit).isEqualTo(new Commit(latest, "second"));
      assertThat(snapshot.read(commit, "deploy/compose.yaml")).hasValueSatisfying(bytes ->
          assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("services: {web: {}}\n"));
    }
    assertThat(Files.readAllLines(pinned())).as("the host key pinned on first use")
        .containsExactly(server.knownHostsLine());
  }

  @Test
  void shouldFetchOverAnScpLikeUrl() throws Exception {
    // user@host:path names no port: the server must answer on port 22, here of another loopback address.
    try (SshGitServer port22 = SshGitServer.startOnPort22("127.0.22.22")) {
      GitRepo repo = port22.createRepository("scp-like");
      String sha = repo.commit("compose.yaml", "services: {}\n", "scp-like");
      String url = port22.scpLikeUrl(repo);
      assertThat(url).matches("[a-z]+@127\\.0\\.22\\.22:/.+");

      try (CommitSource.Snapshot snapshot = source(pinnedOnly()).fetch(keyed(url, port22.clientKey()))) {
        assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
      }
      assertThat(Files.readAllLines(pinned())).containsExactly(port22.knownHostsLine());
      assertThat(port22.knownHostsLine()).startsWith("127.0.22.22 ssh-ed25519 ");
    }
  }

  @Test
  void shouldUseRsaAndEcKeysInPemForm() throws Exception {
    GitRepo repo = newRepository();
    String sha = repo.commit("compose.yaml", "services: {}\n", "pem");
    SshKey rsa = SshKey.rsaPem();
    SshKey ec = SshKey.ecdsaPem();
    assertThat(rsa.privateKey()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(ec.privateKey()).startsWith("-----BEGIN EC PRIVATE KEY-----");
    server.authorize(rsa);
    server.authorize(ec);
    RemoteBrowser browser = browser(pinnedOnly());

    assertThat(browser.branches(keyed(repo.url(), rsa)).branches())
        .containsExactly(new RemoteBrowser.Branch("main", sha));
    assertThat(browser.branches(keyed(repo.url(), ec)).branches())
        .containsExactly(new RemoteBrowser.Branch("main", sha));
  }

  @Test
  void shouldListBranchesAndFilesOverSsh() throws Exception {
    GitRepo repo = newRepository();
    String release = repo.commit("release", "stacks/compose.yaml", "services: {}\n", "release");
    String main = repo.commit("web/compose.yaml", "services: {}\n", "web");
    RemoteBrowser browser = browser(pinnedOnly());
    GitRemote remote = keyed(repo.url(), server.clientKey());

    RemoteBrowser.Branches branches = browser.branches(remote);
    assertThat(branches.branches()).containsExactly(new RemoteBrowser.Branch("main", main),
        new RemoteBrowser.Branch("release", release));
    assertThat(branches.defaultBranch()).isEqualTo("main");

    RemoteBrowser.Tree tree = browser.tree(remote, "release");
    assertThat(tree.commit()).isEqualTo(release);
    assertThat(tree.files()).containsExactly("README.md", "stacks/compose.yaml");
  }

  @Test
  void shouldRefuseAKeyTheServerDoesNotKnowWithoutShowingIt() {
    GitRepo repo = newRepository();
    SshKey stranger = SshKey.ed25519();
    JGitCommitSource source = source(pinnedOnly(), Duration.ofSeconds(10));
    String url = UrlRedaction.redact(repo.url());
    String endpoint = "127.0.0.1:" + server.port();

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        source.fetch(new GitRemote("stranger", repo.url(), "ssh", null, stranger.privateKey())))
        .isInstanceOf(GitException.class)
        .hasMessage("cannot fetch " + url + ": the server at " + endpoint + " refused the ssh key "
            + fingerprint(stranger) + " of repository stranger for user " + server.user()
            + ": give the server this key's public half (for example as a deploy key) or check the user in the URL")
        .satisfies(e -> assertNoKeyMaterial(e.getMessage(), stranger)));
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        source.fetch(new GitRemote("keyless", repo.url(), "none", null, null)))
        .isInstanceOf(GitException.class)
        .hasMessage("cannot fetch " + url + ": the server at " + endpoint + " wants an ssh key for user "
            + server.user() + " and repository keyless has none: choose ssh authentication and give a private key"));
    assertThatThrownBy(() -> source.fetch(keyed(repo.url() + "-missing", server.clientKey())))
        .isInstanceOf(GitException.class)
        .hasMessage("cannot fetch " + url + "-missing: fatal: '" + repo.directory() + "-missing'"
            + " does not appear to be a git repository");
  }

  @Test
  void shouldReadNothingOfTheUsersSshDirectory() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "home");
    // A home whose ~/.ssh would let a keyless call in (its key is authorized), send it to a closed
    // port (config), and refuse the server's host key (known_hosts), were any of it read.
    Path home = state.resolve("home");
    Path dotSsh = Files.createDirectories(home.resolve(".ssh"));
    SshKey usersKey = SshKey.ed25519();
    server.authorize(usersKey);
    Files.writeString(dotSsh.resolve("id_ed25519"), usersKey.privateKey());
    Files.writeString(dotSsh.resolve("config"), "Host *\n  Port " + closedPort() + "\n  IdentityFile "
        + dotSsh.resolve("id_ed25519") + "\n");
    Files.writeString(dotSsh.resolve("known_hosts"), "[127.0.0.1]:" + server.port() + " "
        + SshKey.ed25519().publicKeyEntry() + "\n");
    File realHome = FS.DETECTED.userHome();
    FS.DETECTED.setUserHome(home.toFile());
    try {
      JGitCommitSource source = source(pinnedOnly(), Duration.ofSeconds(10));
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
          source.fetch(new GitRemote("keyless", repo.url(), "none", null, null)))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("wants an ssh key for user " + server.user()));
      try (CommitSource.Snapshot snapshot = source.fetch(keyed(repo.url(), server.clientKey()))) {
        assertThat(snapshot.latest("main")).isNotNull();
      }
    } finally {
      FS.DETECTED.setUserHome(realHome);
    }
  }

  @Test
  void shouldRefuseKeysItCannotUseBeforeConnecting() throws IOException {
    // A closed port: a key problem must be reported as such, before any connection is tried.
    String url = "ssh://git@127.0.0.1:" + closedPort() + "/srv/repo.git";
    JGitCommitSource source = source(pinnedOnly());
    SshKey encrypted = SshKey.ed25519WithPassphrase("correct horse");
    String publicOnly = server.clientKey().publicKey();
    String garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END OPENSSH PRIVATE KEY-----\n";

    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "ssh", null, encrypted.privateKey())))
        .isInstanceOf(GitException.class)
        .hasMessage("the ssh private key of repository r is protected by a passphrase, which Orca cannot use:"
            + " give a key without one");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "ssh", null, garbage)))
        .isInstanceOf(GitException.class)
        .hasMessageStartingWith("the ssh private key of repository r cannot be read: it is not an OpenSSH, RSA, EC"
            + " or PKCS#8 private key in PEM form")
        .hasMessageNotContaining("bm90IGEga2V5");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "ssh", null, publicOnly)))
        .isInstanceOf(GitException.class)
        .hasMessageStartingWith("the ssh private key of repository r ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(publicOnly.split(" ")[1]));
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "ssh", null, " ")))
        .isInstanceOf(GitException.class)
        .hasMessage("repository r uses ssh authentication but has no secret (a private key)");
    assertThatThrownBy(() -> source.fetch(new GitRemote("r", url, "token", null, "ghp_t0ken")))
        .isInstanceOf(GitException.class)
        .hasMessage("repository r uses token authentication, which works over http(s) only:"
            + " an ssh URL needs authentication ssh (a private key)");
  }

  @Test
  void shouldRefuseAChangedHostKeyNamingBothFingerprintsAndTheFileToEdit() throws Exception {
    SshHosts hosts = pinnedOnly();
    int port;
    String first;
    String firstLine;
    try (SshGitServer original = SshGitServer.start()) {
      port = original.port();
      first = original.hostKeyFingerprint();
      firstLine = original.knownHostsLine();
      GitRepo repo = original.createRepository("moved");
      repo.commit("compose.yaml", "services: {}\n", "before");
      try (CommitSource.Snapshot snapshot = source(hosts).fetch(keyed(repo.url(), original.clientKey()))) {
        assertThat(snapshot.latest("main")).isNotNull();
      }
    }

    try (SshGitServer impostor = SshGitServer.start("127.0.0.1", port)) {
      GitRepo repo = impostor.createRepository("moved");
      String sha = repo.commit("compose.yaml", "services: {evil: {}}\n", "after");
      String second = impostor.hostKeyFingerprint();
      assertThat(second).isNotEqualTo(first);
      JGitCommitSource source = source(hosts);
      GitRemote remote = keyed(repo.url(), impostor.clientKey());

      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> source.fetch(remote))
          .isInstanceOf(GitException.class)
          .hasMessage("cannot fetch " + UrlRedaction.redact(repo.url()) + ": the ssh host key of [127.0.0.1]:" + port
              + " has changed: Orca pinned " + first + " on its first connection, the server now presents " + second
              + ". This can be an attack; if the server's key was replaced on purpose, remove the line of [127.0.0.1]:"
              + port + " from " + pinned() + " (or list the host in ORCA_SSH_KNOWN_HOSTS) and connect again"));
      assertThat(Files.readAllLines(pinned())).as("a changed key is never pinned over the first")
          .containsExactly(firstLine);

      // What the message says to do works: without the line, the new key is pinned.
      Files.writeString(pinned(), "");
      try (CommitSource.Snapshot snapshot = source.fetch(remote)) {
        assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
      }
      assertThat(Files.readAllLines(pinned())).containsExactly(impostor.knownHostsLine());
    }
  }

  @Test
  void shouldHonorTheOperatorsKnownHostsOverPinning() throws Exception {
    GitRepo repo = newRepository();
    String sha = repo.commit("compose.yaml", "services: {}\n", "given");
    Path given = state.resolve("operator_known_hosts");
    // A pinned key that disagrees is not consulted for a host the operator lists.
    Files.createDirectories(pinned().getParent());
    Files.writeString(pinned(), "[127.0.0.1]:" + server.port() + " " + SshKey.ed25519().publicKeyEntry() + "\n");
    Files.writeString(given, "# the operator's\n" + server.knownHostsLine() + "\n");
    SshHosts hosts = new SshHosts(given, pinned());

    try (CommitSource.Snapshot snapshot = source(hosts).fetch(keyed(repo.url(), server.clientKey()))) {
      assertThat(snapshot.latest("main").sha()).isEqualTo(sha);
    }
    assertThat(Files.readAllLines(pinned())).hasSize(1);
  }

  @Test
  void shouldRefuseAHostKeyThatDiffersFromTheOperatorsKnownHosts() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "given");
    Path given = state.resolve("operator_known_hosts");
    SshKey expected = SshKey.ed25519();
    Files.writeString(given, "[127.0.0.1]:" + server.port() + " " + expected.publicKeyEntry() + "\n");
    String expectedFingerprint = fingerprint(expected);
    JGitCommitSource source = source(new SshHosts(given, pinned()), Duration.ofSeconds(10));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        source.fetch(keyed(repo.url(), server.clientKey())))
        .isInstanceOf(GitException.class)
        .hasMessageContaining(": the ssh host key of [127.0.0.1]:" + server.port() + " does not match " + given
            + " (ORCA_SSH_KNOWN_HOSTS): it lists " + expectedFingerprint + ", the server presented "
            + server.hostKeyFingerprint() + ". This can be an attack"));
    assertThat(pinned()).as("nothing is pinned for a host the operator lists").doesNotExist();

    Path missing = state.resolve("missing_known_hosts");
    JGitCommitSource misconfigured = source(new SshHosts(missing, pinned()), Duration.ofSeconds(10));
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        misconfigured.fetch(keyed(repo.url(), server.clientKey())))
        .isInstanceOf(GitException.class)
        .hasMessageContaining(": cannot read the known hosts file " + missing + " (ORCA_SSH_KNOWN_HOSTS)"));
  }

  @Test
  void shouldPinAHostOnceWhenCallsRaceForIt() throws Exception {
    GitRepo repo = newRepository();
    repo.commit("compose.yaml", "services: {}\n", "race");
    SshHosts hosts = pinnedOnly();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<RemoteBrowser.Branch>>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        RemoteBrowser browser = browser(hosts); // one browser each: they share nothing but the file
        calls.add(threads.submit(() -> browser.branches(keyed(repo.url(), server.clientKey())).branches()));
      }
      for (Future<List<RemoteBrowser.Branch>> call : calls) {
        assertThat(call.get(60, TimeUnit.SECONDS)).hasSize(1);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(Files.readAllLines(pinned())).containsExactly(server.knownHostsLine());
  }

  @Test
  void shouldFailClearlyWithinTheTimeoutWhenNothingOrNobodyAnswers() throws Exception {
    String closed = "ssh://git@127.0.0.1:" + closedPort() + "/srv/repo.git";
    JGitCommitSource source = source(pinnedOnly(), Duration.ofSeconds(2));

    long start = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        source.fetch(keyed(closed, server.clientKey())))
        .isInstanceOf(GitException.class)
        .hasMessageStartingWith("cannot fetch " + UrlRedaction.redact(closed) + ": cannot connect to 127.0.0.1:"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

    // A port that accepts the connection and never speaks: the ssh handshake is bounded too.
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "ssh://git@127.0.0.1:" + silent.getLocalPort() + "/srv/repo.git";
      long before = System.nanoTime();
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
          source.fetch(keyed(url, server.clientKey())))
          .isInstanceOf(GitException.class)
          .hasMessage("cannot fetch " + UrlRedaction.redact(url) + ": timed out after 2 s"));
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
      // The handshake given up on is interrupted, not left waiting for sshd's own 2-minute limit.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (sshThreads() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(sshThreads()).as("threads still in ssh code").isZero();
    }
  }

  private static long sshThreads() {
    return Thread.getAllStackTraces().values().stream()
        .filter(stack -> Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith("org.apache.sshd.")
            || frame.getClassName().startsWith("org.eclipse.jgit.transport.sshd.")))
        .count();
  }

  private static String fingerprint(SshKey key) {
    return HostKeys.fingerprint(Base64.getDecoder().decode(key.publicKeyEntry().split(" ")[1]));
  }

  private static void assertNoKeyMaterial(String message, SshKey key) {
    assertThat(message).doesNotContain("PRIVATE KEY");
    for (String line : key.privateKey().split("\n")) {
      if (!line.startsWith("-----") && line.length() > 16) {
        assertThat(message).doesNotContain(line.substring(0, 16));
      }
    }
  }

  private Path pinned() {
    return state.resolve("ssh").resolve("known_hosts");
  }

  private SshHosts pinnedOnly() {
    return SshHosts.pinnedIn(pinned());
  }

  private JGitCommitSource source(SshHosts hosts) {
    return source(hosts, Duration.ofSeconds(30));
  }

  private JGitCommitSource source(SshHosts hosts, Duration timeout) {
    JGitCommitSource source = new JGitCommitSource(cache, true, timeout, hosts);
    closing.add(source);
    return source;
  }

  private RemoteBrowser browser(SshHosts hosts) {
    RemoteBrowser browser = new RemoteBrowser(cache.resolve("browse"), true, Duration.ofSeconds(30), hosts);
    closing.add(browser);
    return browser;
  }

  private static synchronized GitRepo newRepository() {
    return server.createRepository("ssh-repo-" + ++repositories);
  }

  private static GitRemote keyed(String url, SshKey key) {
    return new GitRemote("ssh-" + repositories, url, "ssh", null, key.privateKey());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
