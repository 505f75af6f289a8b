package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.orca.testsupport.GitServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The egress guard on real connections: a JGit fetch over http against a real git server, a
 * redirect to the metadata address, an ssh remote. A name that resolves to a refused address is
 * played by the policy's resolver seam, as a rebinding DNS server would answer.
 */
class EgressGuardIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir
  Path cache;
  private GitServer server;

  @BeforeEach
  void start() throws Exception {
    server = GitServer.startWithBasicAuth(GitCalls.TOKEN_USER, "ghp_s3cret");
    server.createRepository("app").commit("compose.yaml", "services: {}\n", "first");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Resolves every name to 127.0.0.1, as a DNS server that rebinds a public name to loopback would. */
  private static EgressPolicy rebinding(EgressPolicy policy) {
    return policy.resolvingWith(host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})});
  }

  private GitRemote remote(String host) {
    return new GitRemote("app-repo", "http://" + host + ":" + server.port() + "/git/app", "token", null, "ghp_s3cret");
  }

  @Test
  void shouldNeverConnectToANameThatResolvesToARefusedAddress() {
    try (JGitCommitSource source = new JGitCommitSource(cache, rebinding(EgressPolicy.strict()), TIMEOUT)) {
      assertThatThrownBy(() -> source.fetch(remote("git.rebind.example")))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("address 127.0.0.1 (git.rebind.example) is loopback: allowed only in local mode");
    }
    // Nothing reached the server: not the request, not the token.
    assertThat(server.requests()).isZero();
  }

  @Test
  void shouldFetchThroughTheSameGuardWhenThePolicyAllowsTheAddress() throws Exception {
    try (JGitCommitSource source = new JGitCommitSource(cache, rebinding(EgressPolicy.of(true, null)), TIMEOUT);
        CommitSource.Snapshot snapshot = source.fetch(remote("git.rebind.example"))) {
      assertThat(snapshot.latest("main")).isNotNull();
    }
    assertThat(server.requests()).isPositive();
    try (JGitCommitSource source = new JGitCommitSource(cache.resolve("allowed"),
        rebinding(EgressPolicy.of(false, "127.0.0.0/8")), TIMEOUT);
        CommitSource.Snapshot snapshot = source.fetch(remote("git.rebind.example"))) {
      assertThat(snapshot.latest("main")).isNotNull();
    }
  }

  @Test
  void shouldNotFollowARedirectToTheMetadataAddress() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    HttpServer redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    redirector.createContext("/", exchange -> {
      asked.incrementAndGet();
      exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/repo/info/refs?service=git-upload-pack");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    redirector.start();
    try (RemoteBrowser browser = new RemoteBrowser(cache, EgressPolicy.of(true, null), TIMEOUT)) {
      String url = "http://127.0.0.1:" + redirector.getAddress().getPort() + "/repo";
      assertThatThrownBy(() -> browser.branches(GitRemote.anonymous("r", url)))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("address 169.254.169.254 is link-local, where cloud metadata services answer");
      assertThat(asked.get()).isPositive();
      // With credentials, a redirect to any other server is refused before a connection is made.
      assertThatThrownBy(() -> browser.branches(new GitRemote("r", url, "token", null, "ghp_s3cret")))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("a redirect to 169.254.169.254 is refused: the repository's credentials are only sent"
              + " to 127.0.0.1");
    } finally {
      redirector.stop(0);
    }
  }

  @Test
  void shouldSendCredentialsToNoOtherServerThanTheRemotes() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    HttpServer redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // A public server that sends Orca on to another one (which would then ask for the token).
    redirector.createContext("/", exchange -> {
      asked.incrementAndGet();
      exchange.getResponseHeaders().add("Location", "http://localhost:" + server.port() + "/git/app/info/refs?service=git-upload-pack");
      exchange.sendResponseHeaders(301, -1);
      exchange.close();
    });
    redirector.start();
    try (RemoteBrowser browser = new RemoteBrowser(cache, EgressPolicy.of(true, null), TIMEOUT)) {
      String url = "http://127.0.0.1:" + redirector.getAddress().getPort() + "/repo";
      assertThatThrownBy(() -> browser.branches(new GitRemote("r", url, "token", null, "ghp_s3cret")))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("a redirect to localhost is refused: the repository's credentials are only sent to 127.0.0.1");
      assertThat(asked.get()).isPositive();
      assertThat(server.requests()).isZero();
    } finally {
      redirector.stop(0);
    }
  }

  @Test
  void shouldCheckTheAddressASocketConnectsToWhateverResolvedIt() throws Exception {
    GuardedHttp.Checked checked = new GuardedHttp.Checked(EgressPolicy.strict(),
        PlainConnectionSocketFactory.getSocketFactory());
    Socket socket = new Socket();
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getByAddress("public.example", new byte[] {127, 0, 0, 1}),
        server.port());
    assertThatThrownBy(() -> checked.connectSocket(1000, socket, new HttpHost("public.example", server.port()), loopback,
        null, null))
        .isInstanceOf(EgressRefusedException.class)
        .hasMessageStartingWith("address 127.0.0.1 (public.example) is loopback");
    assertThat(socket.isClosed()).isTrue();
    assertThat(server.requests()).isZero();
  }

  @Test
  void shouldCheckTheAddressAnSshConnectionIsAboutToOpen() throws Exception {
    // The URL check is passed by (a literal address would be refused there first): the ssh
    // connection itself must refuse, before any key is offered.
    GitRemote remote = GitRemote.anonymous("ssh-repo", "ssh://git@127.0.0.1:1/srv/app.git");
    try (RemoteAccess access = RemoteAccess.of(remote, SshHosts.pinnedIn(cache.resolve("known_hosts")),
        EgressPolicy.strict(), TIMEOUT);
        GitCalls calls = new GitCalls(TIMEOUT, "egress-test")) {
      assertThatThrownBy(() -> calls.bounded(remote, "list the branches of", access,
          () -> access.apply(org.eclipse.jgit.api.Git.lsRemoteRepository().setRemote(remote.url())).call()))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("address 127.0.0.1 is loopback: allowed only in local mode");
    }
  }
}
