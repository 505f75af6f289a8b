package dev.orca.bench;

import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The ls-remote bench's git server in a JVM of its own: test-support's {@link GitServer} (JGit's
 * smart-HTTP servlet in Jetty on 127.0.0.1) serving {@code repositories} repositories of one
 * commit each. Its own process so that the server's CPU time is not counted as the client's.
 * The child prints one line {@code ready <port> <head sha> <creation ms>} and stops, deleting its
 * repositories, when its standard input closes (so also when the bench dies).
 */
final class GitServerProcess implements AutoCloseable {

  static final String COMMAND = "git-server";
  private static final Duration START_DEADLINE = Duration.ofSeconds(180);

  private final Process process;
  private final int port;
  private final String head;
  private final long creationMillis;

  private GitServerProcess(Process process, int port, String head, long creationMillis) {
    this.process = process;
    this.port = port;
    this.head = head;
    this.creationMillis = creationMillis;
  }

  static String repositoryName(int i) {
    return String.format(Locale.ROOT, "repo-%05d", i);
  }

  /** Starts the server in a child JVM from this JVM's own class path; waits until it is ready. */
  static GitServerProcess start(int repositories) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx512m");
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
      // The bench's executable jar: its own main dispatches the command.
      command.addAll(List.of("-jar", classPath));
    } else {
      command.addAll(List.of("-cp", classPath, Bench.class.getName()));
    }
    command.addAll(List.of(COMMAND, Integer.toString(repositories)));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("ready ")) {
            return line;
          }
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = ready.get(START_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      line = null;
    }
    if (line == null) {
      process.destroyForcibly();
      throw new IllegalStateException("the git server process did not get ready within " + START_DEADLINE);
    }
    String[] fields = line.split(" ");
    return new GitServerProcess(process, Integer.parseInt(fields[1]), fields[2], Long.parseLong(fields[3]));
  }

  String url(int i) {
    return "http://127.0.0.1:" + port + "/git/" + repositoryName(i);
  }

  /** The SHA every repository's main branch points at. */
  String head() {
    return head;
  }

  long creationMillis() {
    return creationMillis;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /**
   * The child's main: one repository made with a commit, the others copies of its {@code .git}
   * directory (each a whole repository of one commit; copying keeps making 2,000 of them to a
   * second or two).
   */
  static void serve(int repositories, PrintStream out) throws IOException {
    try (GitServer server = GitServer.start()) {
      long begun = System.nanoTime();
      GitRepo template = server.createRepository(repositoryName(0));
      Path gitDir = template.directory().resolve(".git");
      Path root = template.directory().getParent();
      for (int i = 1; i < repositories; i++) {
        copy(gitDir, root.resolve(repositoryName(i)).resolve(".git"));
      }
      String head = Files.readString(gitDir.resolve("refs/heads/main")).trim();
      long millis = (System.nanoTime() - begun) / 1_000_000;
      out.println("ready " + server.port() + " " + head + " " + millis);
      out.flush();
      // Until the bench closes our standard input (or dies).
      try (var in = System.in) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
