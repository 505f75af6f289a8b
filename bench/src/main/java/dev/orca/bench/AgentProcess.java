package dev.orca.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent as its users run it ({@code java -jar orca-agent-<version>-exec.jar}, settings from the
 * environment), in a process of its own so its resident memory is its own. Notes when its "Agent
 * ... started" and "Connected" log lines appear (its output is copied to a log file), and
 * samples its RSS every 100 ms, keeping the peak since the last {@link #resetPeak()}.
 */
final class AgentProcess implements AutoCloseable {

  /** The line {@code Agent#start} logs once its loops are running. */
  private static final String STARTED = "] INFO dev.orca.agent.Agent - Agent ";
  /** The line the agent logs once the broker acknowledged its first heartbeat. */
  private static final String CONNECTED = "Connected: the broker acknowledged the first heartbeat";

  private final Process process;
  /** Stops the agent if the bench is stopped (Ctrl-C, SIGTERM) before it closes it. */
  private final Thread stopOnExit;
  private final long startedNanos;
  private final CompletableFuture<Long> startedLine = new CompletableFuture<>();
  private final CompletableFuture<Long> connectedLine = new CompletableFuture<>();
  private final Thread sampler;
  private volatile long peakRssMegabytes;
  private volatile boolean running = true;

  private AgentProcess(Process process, long startedNanos, Path log) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.stopOnExit = new Thread(process::destroy, "agent-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    Thread output = new Thread(() -> copy(log), "agent-output");
    output.setDaemon(true);
    output.start();
    sampler = new Thread(this::sample, "agent-rss");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * Starts {@code java <jvmOptions> -jar jar <arguments>} with exactly {@code environment} added to
   * this process's.
   */
  static AgentProcess start(Path jar, List<String> jvmOptions, List<String> arguments, Map<String, String> environment,
      Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    long started = System.nanoTime();
    return new AgentProcess(builder.start(), started, log);
  }

  /**
   * The agent's exec jar: {@code explicit} when given, else the one built beside this bench jar
   * ({@code <checkout>/agent/target}), else under the working directory's {@code agent/target}.
   */
  static Path findJar(String explicit) throws IOException {
    if (explicit != null) {
      Path jar = Path.of(explicit);
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("--agent-jar " + explicit + " is not a file");
      }
      return jar;
    }
    List<Path> places = new ArrayList<>();
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
      // <checkout>/bench/target/orca-bench-<version>-exec.jar
      places.add(Path.of(classPath).toAbsolutePath().getParent().getParent().getParent().resolve("agent/target"));
    }
    places.add(Path.of("agent/target").toAbsolutePath());
    for (Path place : places) {
      if (Files.isDirectory(place)) {
        try (Stream<Path> files = Files.list(place)) {
          var jar = files.filter(f -> f.getFileName().toString().matches("orca-agent-.*-exec\\.jar")).findFirst();
          if (jar.isPresent()) {
            return jar.get();
          }
        }
      }
    }
    throw new IllegalArgumentException("no orca-agent-*-exec.jar in " + places + "; build it (mvn -o -pl bench -am "
        + "package -DskipTests builds it too) or give --agent-jar");
  }

  long pid() {
    return process.pid();
  }

  /** Nanoseconds from process start to the agent's "started" log line; waits for it up to {@code seconds}. */
  long startedLineNanos(int seconds) throws Exception {
    return startedLine.get(seconds, TimeUnit.SECONDS) - startedNanos;
  }

  /** Nanoseconds from process start to the agent's "Connected" log line; waits for it up to {@code seconds}. */
  long connectedLineNanos(int seconds) throws Exception {
    return connectedLine.get(seconds, TimeUnit.SECONDS) - startedNanos;
  }

  long startedNanos() {
    return startedNanos;
  }

  /** Waits up to {@code seconds} for the process to end by itself; its exit status. */
  int awaitExit(int seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the agent did not exit within " + seconds + " s");
    }
    return process.exitValue();
  }

  long rssMegabytes() throws IOException {
    return ProcStat.of(process.pid()).rssMegabytes();
  }

  /** CPU seconds of the agent's JVM and of the processes it has waited for (its compose runs). */
  DeployBench.Cpu cpu() throws IOException {
    return DeployBench.Cpu.of(ProcStat.of(process.pid()));
  }

  /** Resident and live heap memory right after a full collection the bench asks for. */
  record AfterGc(long rssMegabytes, long heapUsedMegabytes) {}

  /**
   * Asks the agent's JVM for a full collection ({@code jcmd <pid> GC.run}, from the JDK running the
   * bench) and reads its resident memory a second later and its used heap. Without {@code -Xmx} the
   * JVM may grow its heap to a quarter of the machine's memory before it collects much, so RSS alone
   * says what it took, this what it needs.
   */
  AfterGc afterFullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    Thread.sleep(1_000);
    return new AfterGc(rssMegabytes(), heapUsedKilobytes(jcmd("GC.heap_info")) / 1024);
  }

  /**
   * The used heap {@code GC.heap_info} reports: G1's one "garbage-first heap" line, or the sum of
   * the Serial and Parallel collectors' generations; metaspace is not heap. -1024 when none is found.
   */
  static long heapUsedKilobytes(String heapInfo) {
    Pattern used = Pattern.compile("used (\\d+)K");
    long total = 0;
    boolean found = false;
    for (String line : heapInfo.split("\n")) {
      if (!line.contains("heap") && !line.contains("generation") && !line.contains("PSYoungGen")
          && !line.contains("ParOldGen")) {
        continue;
      }
      Matcher m = used.matcher(line);
      if (m.find()) {
        total += Long.parseLong(m.group(1));
        found = true;
      }
    }
    return found ? total : -1024;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = java.resolveSibling("jcmd");
    Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd",
        Long.toString(process.pid()), command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + output.strip());
    }
    return output;
  }

  void resetPeak() {
    peakRssMegabytes = 0;
  }

  long peakRssMegabytes() {
    return peakRssMegabytes;
  }

  private void sample() {
    while (running && process.isAlive()) {
      try {
        peakRssMegabytes = Math.max(peakRssMegabytes, rssMegabytes());
        Thread.sleep(100);
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void copy(Path log) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!startedLine.isDone() && line.contains(STARTED) && line.contains(" started: ")) {
          startedLine.complete(System.nanoTime());
        }
        if (!connectedLine.isDone() && line.contains(CONNECTED)) {
          connectedLine.complete(System.nanoTime());
        }
        out.println(line);
      }
    } catch (IOException e) {
      // the process ended
    }
    startedLine.completeExceptionally(new IllegalStateException("the agent's output ended before it started; see "
        + log));
    connectedLine.completeExceptionally(new IllegalStateException("the agent's output ended before it connected; see "
        + log));
  }

  /** SIGTERM, as a service manager stops it (its shutdown hook closes the agent), then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      // the JVM is already stopping, and the hook with it
    }
  }
}
