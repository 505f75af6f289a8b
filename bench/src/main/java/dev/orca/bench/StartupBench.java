package dev.orca.bench;

import dev.orca.testsupport.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * {@code ./orca bench startup}: runs {@code ./orca up} as a child process on a fresh data directory
 * and free ports, times it from process start to {@code GET /api/v1/health} 200 (and to the
 * dashboard's first render, when the dashboard's browser script can run), stops it with SIGTERM,
 * and starts it again on the same directory several times. Each start also reports the process's
 * CPU time and resident memory when healthy and how long SIGTERM took to stop it. Baseline: a JVM
 * running an empty main, timed in the same run.
 */
final class StartupBench {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(120);
  private static final int BASELINE_RUNS = 5;

  /**
   * {@code command} starts the launcher; it must become the launcher's JVM (as {@code ./orca up}
   * does with exec) so the process's CPU time and memory are the launcher's own.
   */
  record Options(Path root, List<String> command, int restarts, Duration deadline, boolean render, boolean keep) {}

  /** One start: seconds from process start to healthy and to first render, CPU, memory, stop. */
  record Start(String label, double healthySeconds, OptionalLong renderMillis, String renderNote, ProcStat usage,
      double stopSeconds) {}

  record Report(double baselineSeconds, List<Start> starts) {

    Start first() {
      return starts.get(0);
    }

    List<Start> restarts() {
      return starts.subList(1, starts.size());
    }

    double restartMedian(ToDoubleFunction<Start> figure) {
      return median(restarts().stream().mapToDouble(figure).toArray());
    }

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-15s %10s %15s %14s %10s %8s %8s%n",
          "start", "healthy s", "first render s", "JVM CPU s", "child CPU", "RSS MB", "stop s");
      for (Start s : starts) {
        row(out, s.label(), s.healthySeconds(), s.renderMillis().isPresent() ? s.renderMillis().getAsLong() / 1000.0 : Double.NaN,
            s.usage().cpuSeconds(), s.usage().childCpuSeconds(), s.usage().rssMegabytes(), s.stopSeconds());
      }
      if (!restarts().isEmpty()) {
        double[] renders = restarts().stream().filter(s -> s.renderMillis().isPresent())
            .mapToDouble(s -> s.renderMillis().getAsLong() / 1000.0).toArray();
        row(out, "restart median", restartMedian(Start::healthySeconds), renders.length == 0 ? Double.NaN : median(renders),
            restartMedian(s -> s.usage().cpuSeconds()), restartMedian(s -> s.usage().childCpuSeconds()),
            Math.round(restartMedian(s -> s.usage().rssMegabytes())), restartMedian(Start::stopSeconds));
      }
      starts.stream().filter(s -> s.renderMillis().isEmpty()).findFirst()
          .ifPresent(s -> out.println("first render: not measured (" + s.renderNote() + ")"));
      out.printf(Locale.ROOT, "baseline: JVM start with an empty main, median of %d: %.2f s%n", BASELINE_RUNS, baselineSeconds);
      if (!restarts().isEmpty()) {
        out.printf(Locale.ROOT, "ratio: restart median to healthy / baseline = %.1f%n",
            restartMedian(Start::healthySeconds) / baselineSeconds);
      }
    }

    private static void row(PrintStream out, String label, double healthy, double render, double cpu, double childCpu,
        long rss, double stop) {
      out.printf(Locale.ROOT, "%-15s %10.2f %15s %14.1f %10.1f %8d %8.2f%n", label, healthy,
          Double.isNaN(render) ? "-" : String.format(Locale.ROOT, "%.2f", render), cpu, childCpu, rss, stop);
    }
  }

  private final Options options;
  private final PrintStream out;

  StartupBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    Path work = Files.createTempDirectory("orca-startup-bench");
    Path dataDir = work.resolve("data");
    Path logs = Files.createDirectories(work.resolve("logs"));
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("ORCA_DATA_DIR", dataDir.toString());
    env.put("ORCA_HTTP_PORT", String.valueOf(FreePorts.next()));
    env.put("ORCA_KAFKA_PORT", String.valueOf(FreePorts.next()));
    env.put("ORCA_DATABASE_PORT", String.valueOf(FreePorts.next()));
    Optional<String> noRender = options.render()
        ? FirstRender.unavailable(options.root(), env) : Optional.of("switched off with --render false");
    boolean failed = true;
    try {
      double baseline = baseline(work);
      out.printf(Locale.ROOT, "baseline (empty main): %.2f s; logs in %s%n", baseline, logs);
      List<Start> starts = new ArrayList<>();
      for (int i = 0; i <= options.restarts(); i++) {
        String label = i == 0 ? "first start" : "restart " + i;
        Start start = start(label, env, noRender, logs);
        out.printf(Locale.ROOT, "%s: healthy in %.2f s%n", label, start.healthySeconds());
        starts.add(start);
      }
      failed = false;
      return new Report(baseline, starts);
    } finally {
      if (options.keep() || failed) {
        out.println("kept " + work);
      } else {
        deleteRecursively(work);
      }
    }
  }

  private Start start(String label, Map<String, String> env, Optional<String> noRender, Path logs) throws Exception {
    String base = "http://127.0.0.1:" + env.get("ORCA_HTTP_PORT");
    Path log = logs.resolve(label.replace(' ', '-') + ".log");
    ProcessBuilder builder = new ProcessBuilder(options.command())
        .directory(options.root().toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    long startedEpochMillis = System.currentTimeMillis();
    long started = System.nanoTime();
    Process launcher = builder.start();
    FirstRender render = null;
    if (noRender.isEmpty()) {
      render = FirstRender.start(options.root(), base, options.deadline(), logs, label.replace(' ', '-'));
    }
    try {
      double healthy = awaitHealthy(launcher, base + "/api/v1/health", started, log);
      ProcStat usage = ProcStat.of(launcher.pid());
      OptionalLong renderMillis = OptionalLong.empty();
      String renderNote = noRender.orElse("");
      if (render != null && !servesDashboard(base)) {
        render.stop();
        render = null;
        renderNote = "the gateway serves no dashboard at " + base + "/";
      }
      if (render != null) {
        FirstRender.Outcome outcome = render.await();
        render = null;
        if (outcome.renderedAtEpochMillis().isPresent()) {
          renderMillis = OptionalLong.of(outcome.renderedAtEpochMillis().getAsLong() - startedEpochMillis);
        }
        renderNote = outcome.reason();
      }
      double stop = stop(launcher, log);
      return new Start(label, healthy, renderMillis, renderNote, usage, stop);
    } finally {
      if (render != null) {
        render.stop();
      }
      if (launcher.isAlive()) {
        // SIGTERM first: a killed launcher would leave its PostgreSQL server running.
        launcher.destroy();
        if (!launcher.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
          launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  private double awaitHealthy(Process launcher, String health, long started, Path log) throws Exception {
    long giveUp = started + options.deadline().toNanos();
    HttpRequest request = HttpRequest.newBuilder(URI.create(health)).timeout(Duration.ofSeconds(1)).build();
    while (System.nanoTime() < giveUp) {
      if (!launcher.isAlive()) {
        throw new IllegalStateException("the launcher exited with " + launcher.exitValue() + " before it was healthy; see " + log);
      }
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - started) / 1e9;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException("not healthy within " + options.deadline() + "; see " + log);
  }

  /** Whether {@code GET /} answers with something other than 404 (a launcher built without the dashboard). */
  private static boolean servesDashboard(String base) throws InterruptedException {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(5)).build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 404;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM, as a service manager or a script stops it; seconds until the process is gone. */
  private static double stop(Process launcher, Path log) throws InterruptedException {
    long stopping = System.nanoTime();
    launcher.destroy();
    if (!launcher.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the launcher did not stop within " + STOP_DEADLINE + " of SIGTERM; see " + log);
    }
    return (System.nanoTime() - stopping) / 1e9;
  }

  /** The median wall time of a JVM with the launcher's default heap running an empty main. */
  static double baseline(Path work) throws IOException, InterruptedException {
    Path classes = baselineClasses(work);
    double[] samples = new double[BASELINE_RUNS];
    for (int i = 0; i < samples.length; i++) {
      long started = System.nanoTime();
      Process jvm = new ProcessBuilder("java", "-Xmx1g", "-cp", classes.toString(), JvmBaseline.class.getName())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!jvm.waitFor(60, TimeUnit.SECONDS)) {
        jvm.destroyForcibly();
        throw new IllegalStateException("an empty JVM did not exit within 60 s");
      }
      samples[i] = (System.nanoTime() - started) / 1e9;
    }
    return median(samples);
  }

  /** A class path directory under {@code work} holding {@link JvmBaseline} alone (made once). */
  static Path baselineClasses(Path work) throws IOException {
    Path classes = work.resolve("baseline");
    Path file = classes.resolve("dev/orca/bench/JvmBaseline.class");
    if (Files.exists(file)) {
      return classes;
    }
    Files.createDirectories(file.getParent());
    try (InputStream in = JvmBaseline.class.getResourceAsStream("JvmBaseline.class")) {
      if (in == null) {
        throw new IllegalStateException("JvmBaseline.class is not on the class path");
      }
      Files.copy(in, file);
    }
    return classes;
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
