package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.testsupport.DockerDaemon;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.OidcIssuer;
import dev.orca.testsupport.OidcProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser against a real Orca: this starts Orca as {@code ./orca up} does
 * (on the shared broker and database, every component, the local agent on the real Docker
 * daemon) and a real git server, then runs the browser tests in {@code dashboard/e2e} with Node
 * (Playwright driving Debian's Chromium). They use the dashboard as a person would; screenshots
 * and measured figures land in {@code target/e2e}. Skipped without Chromium, Node or Docker,
 * except under CI, where that fails.
 */
class DashboardBrowserIntegrationTest {

  private static final Path DASHBOARD = Path.of("..", "dashboard").toAbsolutePath().normalize();
  private static final Path OUT = Path.of("target", "e2e").toAbsolutePath();
  private static final long DEADLINE_MINUTES = 15;

  @TempDir
  static Path dataDir;

  private static GitServer git;
  private static OidcIssuer issuer;
  private static OidcProvider provider;
  private static LocalOrca orca;
  /** The OpenID provider's client for Orca; the browser test adds it in the admin pages. */
  static final String OIDC_CLIENT_SECRET = "browser-oidc-" + java.util.UUID.randomUUID();

  @BeforeAll
  static void start() {
    requireBrowser();
    DockerDaemon.require();
    git = GitServer.start();
    // GitHub Actions' token issuer, on loopback: Orca trusts it, the browser tests mint tokens with it.
    issuer = OidcIssuer.start();
    // A real OpenID provider (Spring Authorization Server): people sign in with it in the browser.
    // It may send the browser back to any port of 127.0.0.1 (loopback redirects, RFC 8252).
    provider = OidcProvider.start(
        List.of(new OidcProvider.Client("orca", OIDC_CLIENT_SECRET, "http://127.0.0.1/api/v1/auth/oidc/callback")),
        List.of(new OidcProvider.Person("olivia", "Olivia-Pass-1", "olivia@example.com", true, List.of("orca-admins"), ""),
            new OidcProvider.Person("oscar", "Oscar-Pass-1", "oscar@example.com", true, List.of(), "expired")));
    int port = PortBook.freePort();
    LocalSettings settings = SharedServers.settings(dataDir, "ui").withHttpPort(port);
    Map<String, String> environment = new java.util.HashMap<>(settings.environment());
    // The address the browser uses, so the provider sends it back where its cookies are.
    environment.put("ORCA_PUBLIC_URL", "http://127.0.0.1:" + port);
    environment.put("ORCA_GITHUB_ACTIONS_ISSUER", issuer.url());
    // A hanging remote fails within seconds, so a browser test can watch a sync from Syncing to Failed.
    environment.put("ORCA_GIT_TIMEOUT", "8s");
    orca = LocalOrca.start(settings.withEnvironment(environment));
  }

  @AfterAll
  static void stop() {
    if (orca != null) {
      orca.close();
    }
    // The stacks the browser tests deployed, which they leave running.
    DockerDaemon.removeStacksUnder(dataDir);
    if (git != null) {
      git.close();
    }
    if (issuer != null) {
      issuer.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void shouldPassEveryBrowserTestOfTheDashboard() throws Exception {
    GitRepo repo = git.createRepository("stacks");
    Files.createDirectories(OUT);
    Path log = OUT.resolve("node-test.log");
    // ORCA_E2E_ONLY (file names under e2e/, space-separated) runs just those while working on them.
    List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec"));
    String only = System.getenv("ORCA_E2E_ONLY");
    if (only == null || only.isBlank()) {
      command.add("e2e/");
    } else {
      for (String file : only.trim().split("\\s+")) {
        command.add("e2e/" + file);
      }
    }
    ProcessBuilder node = new ProcessBuilder(command)
        .directory(DASHBOARD.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    node.environment().putAll(Map.of(
        "ORCA_URL", "http://127.0.0.1:" + orca.httpPort(),
        "E2E_GIT_URL", repo.url(),
        "E2E_GIT_DIR", repo.directory().toString(),
        "E2E_OUT", OUT.toString(),
        "E2E_SERVER_PID", Long.toString(ProcessHandle.current().pid()),
        "E2E_OIDC_URL", issuer.url(),
        "E2E_PUBLIC_URL", orca.url(),
        "E2E_AGENT_JAR", agentJar().toString(),
        // Under the data directory, so the stacks an agent started there may deploy are removed after.
        "E2E_AGENT_HOST_DIR", Files.createDirectories(dataDir.resolve("another-host")).toString(),
        "NO_COLOR", "1"));
    node.environment().put("E2E_OIDC_PROVIDER", provider.issuer());
    node.environment().put("E2E_OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET);
    Process process = node.start();
    boolean finished = process.waitFor(DEADLINE_MINUTES, TimeUnit.MINUTES);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    // Leniently: a browser's console text may hold bytes that are not UTF-8.
    String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    if (!finished || process.exitValue() != 0) {
      // Beside the thread dumps the steps leave: what the database was doing.
      Files.writeString(OUT.resolve("database-sessions.txt"), DatabaseSessions.describe(orca.databaseUrl()));
    }
    System.out.println(output);
    assertThat(finished).as("browser tests finished within " + DEADLINE_MINUTES + " minutes; output:\n" + output)
        .isTrue();
    assertThat(process.exitValue()).as("browser tests failed; output:\n" + output).isZero();
    assertThat(output).containsPattern("(?m)fail 0$").doesNotContainPattern("(?m)pass 0$");
  }

  /** The agent's runnable jar, built beside this module: a browser test pastes an agent's command beside it. */
  private static Path agentJar() throws IOException {
    Path target = DASHBOARD.resolveSibling("agent").resolve("target");
    try (java.util.stream.Stream<Path> files = Files.isDirectory(target) ? Files.list(target)
        : java.util.stream.Stream.empty()) {
      return files.filter(f -> f.getFileName().toString().matches("orca-agent-.*-exec\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no orca-agent-*-exec.jar in " + target
              + ": build the agent module first (mvn -pl agent package)"));
    }
  }

  /** Node, the dashboard's installed packages and Chromium; skipped without them, except under CI. */
  private static void requireBrowser() {
    String chromium = System.getenv().getOrDefault("ORCA_CHROMIUM", "/usr/bin/chromium");
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(Path.of(chromium))) {
      missing.add("Chromium at " + chromium + " (apt-get install chromium)");
    }
    if (!Files.isDirectory(DASHBOARD.resolve("node_modules/playwright-core"))) {
      missing.add("the dashboard's packages (build the dashboard module first)");
    }
    if (!runs("node", "--version")) {
      missing.add("Node.js");
    }
    if (missing.isEmpty()) {
      return;
    }
    String why = "browser tests need " + String.join(", ", missing);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(why + "; under CI they must run");
    }
    Assumptions.abort(why);
  }

  private static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
