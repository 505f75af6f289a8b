package dev.orca.bench;

import dev.orca.git.GitRemote;
import dev.orca.git.RemoteBrowser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What polling costs per repository at its cheapest, listing a remote's refs: the git library's
 * {@link RemoteBrowser#branches} (JGit's {@code lsRemoteRepository}, as the gateway lists branches)
 * next to the {@code git ls-remote} CLI in a child process, in the same run, against the same
 * loopback smart-HTTP server holding {@code repositories} repositories of one commit each
 * ({@link GitServerProcess}, a JVM of its own). Each client lists {@code count} repositories in
 * turn from {@code concurrency} threads; the figures are calls per second, latency per call and
 * CPU time per call on each side.
 */
final class LsRemoteBench {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final String OK = "ok";
  /** How many turns each client takes. */
  static final int ROUNDS = 4;

  record Options(int repositories, int count, int concurrency, int warmup) {}

  /** One client's run: the load, this process's CPU (own and its waited-for children's) and the server's. */
  record Phase(String name, Load.Result load, double ownCpuSeconds, double childCpuSeconds, double serverCpuSeconds) {

    double clientCpuMillisPerCall() {
      return (ownCpuSeconds + childCpuSeconds) * 1000 / load.outcomes().length;
    }

    double serverCpuMillisPerCall() {
      return serverCpuSeconds * 1000 / load.outcomes().length;
    }

    double callsPerSecond() {
      return load.perSecond(OK::equals);
    }

    /** This phase and another of the same client as one. */
    Phase plus(Phase other) {
      return new Phase(name, load.plus(other.load), ownCpuSeconds + other.ownCpuSeconds,
          childCpuSeconds + other.childCpuSeconds, serverCpuSeconds + other.serverCpuSeconds);
    }
  }

  private final Options options;
  private final PrintStream out;

  LsRemoteBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    long begun = System.nanoTime();
    Path workDir = Files.createTempDirectory("orca-bench-lsremote");
    try (GitServerProcess server = GitServerProcess.start(options.repositories());
         RemoteBrowser browser = new RemoteBrowser(workDir, true, CALL_TIMEOUT)) {
      out.printf(Locale.ROOT, "git server (JGit smart HTTP in Jetty, its own JVM, pid %d) ready in %.1f s; "
              + "its %d repositories (one commit each, under %s) made in %.1f s%n", server.pid(),
          (System.nanoTime() - begun) / 1e9, options.repositories(), server.directory(),
          server.creationMillis() / 1000.0);
      Load.Call jgit = i -> jgit(browser, server, i % options.repositories());
      Load.Call cli = i -> cli(server, i % options.repositories());

      int warmup = options.warmup();
      out.printf(Locale.ROOT, "warm-up: %d calls each...%n", warmup);
      check("JGit warm-up", Load.run(warmup, options.concurrency(), jgit));
      check("git CLI warm-up", Load.run(warmup, options.concurrency(), cli));

      // The clients take turns, so drift on a shared machine falls on both; each lists the
      // repositories in order from where its last turn stopped.
      Phase jgitPhase = new Phase("JGit RemoteBrowser#branches", Load.Result.empty(), 0, 0, 0);
      Phase cliPhase = new Phase("git ls-remote (CLI process)", Load.Result.empty(), 0, 0, 0);
      int next = 0;
      for (int size : Load.split(options.count(), ROUNDS)) {
        int first = next;
        jgitPhase = jgitPhase.plus(phase(server, size, i -> jgit.run(first + i)));
        cliPhase = cliPhase.plus(phase(server, size, i -> cli.run(first + i)));
        next += size;
      }
      return new Report(options, server.creationMillis(), jgitPhase, cliPhase);
    } finally {
      deleteRecursively(workDir);
    }
  }

  private Phase phase(GitServerProcess server, int count, Load.Call call) throws Exception {
    long self = ProcessHandle.current().pid();
    ProcStat before = ProcStat.of(self);
    ProcStat serverBefore = ProcStat.of(server.pid());
    Load.Result load = Load.run(count, options.concurrency(), call);
    ProcStat after = ProcStat.of(self);
    ProcStat serverAfter = ProcStat.of(server.pid());
    return new Phase("", load, after.cpuSeconds() - before.cpuSeconds(),
        after.childCpuSeconds() - before.childCpuSeconds(), serverAfter.cpuSeconds() - serverBefore.cpuSeconds());
  }

  private static String jgit(RemoteBrowser browser, GitServerProcess server, int repository) throws Exception {
    RemoteBrowser.Branches branches = browser.branches(GitRemote.anonymous("bench-" + repository,
        server.url(repository)));
    boolean main = branches.branches().stream()
        .anyMatch(b -> b.name().equals("main") && b.commit().equals(server.head()));
    return main ? OK : "unexpected branches " + branches;
  }

  private static String cli(GitServerProcess server, int repository) throws Exception {
    ProcessBuilder command = new ProcessBuilder("git", "ls-remote", "--symref", server.url(repository))
        .redirectErrorStream(true);
    // Never wait for a person to type a password.
    command.environment().put("GIT_TERMINAL_PROMPT", "0");
    Process git = command.start();
    String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!git.waitFor(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      git.destroyForcibly();
      return "timed out";
    }
    if (git.exitValue() != 0) {
      return "exit " + git.exitValue() + ": " + output.strip();
    }
    return output.contains(server.head() + "\trefs/heads/main") ? OK : "unexpected output " + output.strip();
  }

  private static void check(String what, Load.Result result) {
    if (result.count(OK::equals) != result.outcomes().length) {
      throw new IllegalStateException(what + " failed: " + result.counts());
    }
  }

  record Report(Options options, long creationMillis, Phase jgit, Phase cli) {

    void print(PrintStream out) {
      int cores = Runtime.getRuntime().availableProcessors();
      out.println();
      out.printf(Locale.ROOT, "%-30s %6s %8s %9s %7s %7s %11s %11s%n", "client", "calls", "calls/s", "/s/core",
          "p50 ms", "p99 ms", "client CPU", "server CPU");
      for (Phase p : List.of(jgit, cli)) {
        Percentiles latency = p.load().latencies(OK::equals);
        out.printf(Locale.ROOT, "%-30s %6d %8.1f %9.1f %7.2f %7.2f %8.2f ms %8.2f ms%n", p.name(), latency.count(),
            p.callsPerSecond(), p.callsPerSecond() / cores, latency.percentileMillis(50),
            latency.percentileMillis(99), p.clientCpuMillisPerCall(), p.serverCpuMillisPerCall());
      }
      Percentiles j = jgit.load().latencies(OK::equals);
      Percentiles c = cli.load().latencies(OK::equals);
      out.printf(Locale.ROOT, "%-30s %6s %8.2f %9.2f %7.2f %7.2f %11.2f %11.2f%n", "ratio JGit / CLI", "",
          jgit.callsPerSecond() / cli.callsPerSecond(), jgit.callsPerSecond() / cli.callsPerSecond(),
          j.percentileMillis(50) / c.percentileMillis(50), j.percentileMillis(99) / c.percentileMillis(99),
          jgit.clientCpuMillisPerCall() / cli.clientCpuMillisPerCall(),
          jgit.serverCpuMillisPerCall() / cli.serverCpuMillisPerCall());
      out.println();
      for (Phase p : List.of(jgit, cli)) {
        int failed = p.load().outcomes().length - p.load().count(OK::equals);
        if (failed > 0) {
          out.printf(Locale.ROOT, "%s: %d calls failed: %s%n", p.name(), failed, p.load().counts());
        }
      }
      out.printf(Locale.ROOT, "client CPU per call: JGit %.2f ms in this JVM; CLI %.2f ms in this JVM (starting "
              + "processes, reading their output) + %.2f ms in git and its git-remote-http%n",
          jgit.clientCpuMillisPerCall(), cli.ownCpuSeconds() * 1000 / cli.load().outcomes().length,
          cli.childCpuSeconds() * 1000 / cli.load().outcomes().length);
      out.printf(Locale.ROOT, "(%d turns each, %d concurrent calls, %d cores; /s/core is calls/s divided by the "
          + "cores; CPU from /proc, in 10 ms ticks; repositories made in %.1f s)%n", ROUNDS, options.concurrency(),
          cores, creationMillis / 1000.0);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
