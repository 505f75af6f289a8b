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
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * The ls-remote bench's git server in a JVM of its own: test-support's {@link GitServer} (JGit's
 * smart-HTTP servlet in Jetty on 127.0.0.1) serving {@code repositories} repositories of one
 * commit each. Its own process so that the server's CPU time is not counted as the client's.
 * The child prints one line {@code ready <port> <head sha> <creation ms> <temporary directory>}
 * and stops, deleting its repositories, when its standard input closes (so also when the bench
 * dies).
 */
final class GitServerProcess implements AutoCloseable {

  static final String COMMAND = "git-server";
  private static final Duration START_DEADLINE = Duration.ofSeconds(180);
  /**
   * Where the repositories live when the machine has it: on this machine's disk each new
   * directory or file cost about half a millisecond of kernel time, so making 2,000
   * repositories there took 9 to 14 s, as long as the calls measured; reads come from memory
   * either way once warm.
   */
  static final Path MEMORY_DIR = Path.of("/dev/shm");

  private final Process process;
  private final int port;
  private final String head;
  private final long creationMillis;
  private final String directory;

  private GitServerProcess(Process process, int port, String head, long creationMillis, String directory) {
    this.process = process;
    this.port = port;
    this.head = head;
    this.creationMillis = creationMillis;
    this.directory = directory;
  }

  static String repositoryName(int i) {
    return String.format(Locale.ROOT, "repo-%05d", i);
  }

  /** Starts the server in a child JVM from this JVM's own class path; waits until it is ready. */
  static GitServerProcess start(int repositories) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx512m");
    if (Files.isDirectory(MEMORY_DIR) && Files.isWritable(MEMORY_DIR)) {
      command.add("-Djava.io.tmpdir=" + MEMORY_DIR);
    }
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
    return new GitServerProcess(process, Integer.parseInt(fields[1]), fields[2], Long.parseLong(fields[3]),
        fields[4]);
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

  /** The directory the server's repositories were made under (its temporary directory). */
  String directory() {
    return directory;
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
   * The child's main: one repository made with a commit and packed, the others copies of its
   * {@code .git} directory (each a whole repository of one commit).
   */
  static void serve(int repositories, PrintStream out) throws IOException {
    try (GitServer server = GitServer.start()) {
      long begun = System.nanoTime();
      GitRepo template = server.createRepository(repositoryName(0));
      String head;
      try (Git git = Git.open(template.directory().toFile())) {
        head = git.getRepository().resolve("refs/heads/main").name();
        // One pack and a packed-refs file: each copy then needs a few directories, which is
        // what costs most here (creating a directory took about half a millisecond of kernel time).
        git.gc().call();
      } catch (GitAPIException e) {
        throw new IOException("cannot pack the template repository: " + e.getMessage(), e);
      }
      Path gitDir = template.directory().resolve(".git");
      Path root = template.directory().getParent();
      for (int i = 1; i < repositories; i++) {
        copy(gitDir, root.resolve(repositoryName(i)).resolve(".git"));
      }
      long millis = (System.nanoTime() - begun) / 1_000_000;
      out.println("ready " + server.port() + " " + head + " " + millis + " " + root.getParent());
      out.flush();
      // Until the bench closes our standard input (or dies).
      try (var in = System.in) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
  }

  /**
   * Copies what serving a packed repository needs ({@code HEAD}, {@code config},
   * {@code packed-refs}, an empty {@code refs/} and the pack), linking the pack's files rather
   * than copying them: git never changes a pack file once written.
   */
  private static void copy(Path from, Path to) throws IOException {
    Path packs = to.resolve("objects/pack");
    Files.createDirectories(packs);
    Files.createDirectory(to.resolve("refs"));
    for (String file : List.of("HEAD", "config", "packed-refs")) {
      Files.copy(from.resolve(file), to.resolve(file));
    }
    try (Stream<Path> files = Files.list(from.resolve("objects/pack"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.createLink(packs.resolve(file.getFileName().toString()), file);
      }
    }
  }
}
