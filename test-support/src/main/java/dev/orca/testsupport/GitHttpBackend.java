package dev.orca.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * git's own smart-HTTP server, {@code git http-backend}, run as a CGI program by a small Python
 * web server on loopback ({@code git-http-backend.py} beside this class): a git server that is not
 * JGit, for tests that must hold against the real thing. Needs {@code python3} and git's
 * {@code git-http-backend}. Repositories are made like {@link GitServer}'s ({@link GitRepo}),
 * served at {@code http://127.0.0.1:<port>/git/<name>/.git}.
 */
public final class GitHttpBackend implements AutoCloseable {

  private static final Path BACKEND = Path.of("/usr/lib/git-core/git-http-backend");
  private static final Pattern SERVING = Pattern.compile("port (\\d+)");

  private final Path root;
  private final Process server;
  private final int port;

  private GitHttpBackend(Path root, Process server, int port) {
    this.root = root;
    this.server = server;
    this.port = port;
  }

  /** Whether this machine can run it (python3 and git-http-backend present). */
  public static boolean available() {
    return Files.isExecutable(BACKEND) && runs("python3", "--version");
  }

  /** Returns when it can run; otherwise fails under CI (the tests must run there) or reports the test skipped. */
  public static void require() {
    if (available()) {
      return;
    }
    String why = "git http-backend needs python3 and " + BACKEND + ": apt-get install git python3";
    Missing.tool(why, "the tests against it");
  }

  public static GitHttpBackend start() {
    require();
    try {
      Path root = Files.createTempDirectory("orca-git-http-backend");
      Path repos = Files.createDirectories(root.resolve("repos"));
      Path bridge = root.resolve("git-http-backend.py");
      try (var script = GitHttpBackend.class.getResourceAsStream("git-http-backend.py")) {
        Files.copy(script, bridge);
      }
      Process server = new ProcessBuilder("python3", "-u", bridge.toString(), repos.toString())
          .directory(root.toFile())
          .redirectErrorStream(true)
          .start();
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = out.readLine()) != null; ) {
            Matcher m = SERVING.matcher(line);
            if (!port.isDone() && line.startsWith("Serving HTTP") && m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        } catch (IOException e) {
          port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("python3 http.server ended before serving"));
      }, "git-http-backend-log");
      reader.setDaemon(true);
      reader.start();
      return new GitHttpBackend(root, server, port.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start git http-backend: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  /** A new repository with a working tree and one initial commit on main. */
  public GitRepo createRepository(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("repository names are plain: " + name);
    }
    File dir = root.resolve("repos").resolve(name).toFile();
    return GitRepo.init(dir, "http://127.0.0.1:" + port + "/git/" + name + "/.git");
  }

  @Override
  public void close() {
    server.destroy();
    try {
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean runs(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
