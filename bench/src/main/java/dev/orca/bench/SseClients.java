package dev.orca.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SSE bench's clients, in a JVM of their own so that the gateway's process holds only the
 * server's side of each stream (its memory and CPU are then the gateway's): {@code clients}
 * streams of {@code GET /api/v1/events} with an API token, on the JDK's HTTP client (one selector
 * thread and a small pool for all of them). Each client notes, for every {@code application}
 * event whose commit is {@code <prefix>-<index>}, when it arrived and the row's {@code updatedAt}.
 *
 * <p>The child prints {@code connected <n> <failed>} once every stream got its {@code stream} event
 * (it then follows the live feed), and after each client saw {@code expected} changes (or the
 * deadline passed) one {@code r <client> <index> <arrival µs> <updatedAt µs>} line per arrival and
 * {@code done <received> <errors> <CPU ms>}. Times are microseconds since the epoch, on the machine's clock,
 * which the bench's JVM reads too.
 */
final class SseClients implements AutoCloseable {

  static final String COMMAND = "sse-clients";
  /** The API token reaches the child in its environment, not on its command line. */
  static final String TOKEN_VARIABLE = "ORCA_BENCH_TOKEN";
  /** Connections opened at once: a thousand at the same moment would overflow the server's accept queue. */
  private static final int CONNECTING_AT_ONCE = 50;

  /** One arrival: client, change index, when it arrived and the row's updatedAt it carried, in µs. */
  record Arrival(int client, int index, long arrivalMicros, long updatedAtMicros) {}

  /** Every arrival, the streams that failed, and the CPU time the clients' JVM used. */
  record Results(List<Arrival> arrivals, int errors, double cpuSeconds) {}

  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private SseClients(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the child ended; the waits below time out or see "done"
      } finally {
        lines.add("eof");
      }
    }, "sse-clients-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the clients in a child JVM from this JVM's class path. */
  static SseClients start(String base, String token, int clients, String prefix, int expected, Duration deadline)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC"));
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
      command.addAll(List.of("-jar", classPath));
    } else {
      command.addAll(List.of("-cp", classPath, Bench.class.getName()));
    }
    command.addAll(List.of(COMMAND, base, Integer.toString(clients), prefix, Integer.toString(expected),
        Long.toString(deadline.toSeconds())));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put(TOKEN_VARIABLE, token);
    return new SseClients(builder.start());
  }

  long pid() {
    return process.pid();
  }

  /** Waits for the {@code connected} line; returns how many streams follow the live feed. */
  int awaitConnected(Duration deadline) throws InterruptedException {
    String line = next("connected", deadline);
    return Integer.parseInt(line.split(" ")[1]);
  }

  /** Waits for every arrival and {@code done}. */
  Results awaitResults(Duration deadline) throws InterruptedException {
    List<Arrival> arrivals = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals("eof")) {
        throw new IllegalStateException("the SSE clients did not finish within " + deadline);
      }
      if (line.startsWith("r ")) {
        String[] f = line.split(" ");
        arrivals.add(new Arrival(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
            Long.parseLong(f[4])));
      } else if (line.startsWith("done ")) {
        String[] f = line.split(" ");
        return new Results(arrivals, Integer.parseInt(f[2]), Long.parseLong(f[3]) / 1000.0);
      }
    }
  }

  private String next(String prefix, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals("eof")) {
        throw new IllegalStateException("the SSE clients did not say '" + prefix + "' within " + deadline);
      }
      if (line.startsWith(prefix + " ")) {
        return line;
      }
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  // ---- the child ----

  /** The child's main: {@code <base> <clients> <prefix> <expected> <deadline seconds>}. */
  static void serve(String[] args, PrintStream out) throws Exception {
    String base = args[0];
    int clients = Integer.parseInt(args[1]);
    String prefix = args[2] + "-";
    int expected = Integer.parseInt(args[3]);
    Duration deadline = Duration.ofSeconds(Long.parseLong(args[4]));
    String token = System.getenv(TOKEN_VARIABLE);
    System.err.printf(Locale.ROOT, "sse-clients: %s%n", openFiles());
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "sse-client");
      thread.setDaemon(true);
      return thread;
    });
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
        .connectTimeout(Duration.ofSeconds(30)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).GET().build();
    CountDownLatch connected = new CountDownLatch(clients);
    CountDownLatch finished = new CountDownLatch(clients);
    AtomicInteger errors = new AtomicInteger();
    Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
    Client[] all = new Client[clients];
    long begun = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      connecting.acquire();
      Client client = new Client(prefix, expected, () -> {
        connecting.release();
        connected.countDown();
      }, finished::countDown);
      all[c] = client;
      http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(client.lines()))
          .whenComplete((response, error) -> {
            if (error != null || response.statusCode() != 200) {
              errors.incrementAndGet();
              System.err.println("sse-clients: a stream ended: " + (error != null ? error
                  : "status " + response.statusCode()));
              client.fail();
            }
          });
    }
    boolean allConnected = connected.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    System.err.printf(Locale.ROOT, "sse-clients: %d streams open in %.1f s%s; %s%n", clients - connected.getCount(),
        (System.nanoTime() - begun) / 1e9, allConnected ? "" : " (not all)", openFiles());
    int following = 0;
    for (Client client : all) {
      following += client.following() ? 1 : 0;
    }
    out.printf(Locale.ROOT, "connected %d %d%n", following, errors.get());
    out.flush();
    finished.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    int received = 0;
    for (int c = 0; c < clients; c++) {
      for (Arrival a : all[c].arrivals(c)) {
        out.printf(Locale.ROOT, "r %d %d %d %d%n", a.client(), a.index(), a.arrivalMicros(), a.updatedAtMicros());
        received++;
      }
    }
    out.printf(Locale.ROOT, "done %d %d %d%n", received, errors.get(),
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis());
    out.flush();
  }

  /** This process's open files and their limit, from /proc: 1,000 streams need 1,000 descriptors. */
  static String openFiles() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      long open = fds.count();
      String limit = Files.readAllLines(Path.of("/proc/self/limits")).stream()
          .filter(l -> l.startsWith("Max open files")).findFirst().orElse("Max open files ? ? files")
          .replaceAll("\\s+", " ").split(" ")[3];
      return open + " files open, limit " + limit;
    } catch (IOException e) {
      return "open files unknown (" + e.getMessage() + ")";
    }
  }

  static long epochMicros(Instant at) {
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
  }

  /** One stream's state; its subscriber's calls come one at a time. */
  private static final class Client {
    private final String prefix;
    private final long[] arrivals;
    private final long[] updatedAts;
    private final Runnable onConnected;
    private final Runnable onFinished;
    private int received;
    private boolean connected;
    private boolean broken;
    private boolean finished;

    Client(String prefix, int expected, Runnable onConnected, Runnable onFinished) {
      this.prefix = prefix;
      this.arrivals = new long[expected];
      this.updatedAts = new long[expected];
      this.onConnected = onConnected;
      this.onFinished = onFinished;
    }

    java.util.concurrent.Flow.Subscriber<String> lines() {
      SseEvents events = new SseEvents(this::event);
      return new java.util.concurrent.Flow.Subscriber<>() {
        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
          subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
          events.line(line);
        }

        @Override
        public void onError(Throwable throwable) {
          fail();
        }

        @Override
        public void onComplete() {
          fail();
        }
      };
    }

    private synchronized void event(SseEvents.Event event) {
      long now = epochMicros(Instant.now());
      if (event.name().equals("stream") && !connected) {
        connected = true;
        onConnected.run();
        return;
      }
      if (!event.name().equals("application")) {
        return;
      }
      String commit = SseEvents.stringField(event.data(), "commit");
      String updatedAt = SseEvents.stringField(event.data(), "updatedAt");
      if (commit == null || updatedAt == null || !commit.startsWith(prefix)) {
        return;
      }
      int index = Integer.parseInt(commit.substring(prefix.length()));
      if (index < arrivals.length && arrivals[index] == 0) {
        arrivals[index] = now;
        updatedAts[index] = epochMicros(Instant.parse(updatedAt));
        if (++received == arrivals.length) {
          finish();
        }
      }
    }

    /** A stream that ended or failed counts as finished with what it got, so nobody waits for it. */
    synchronized void fail() {
      broken = true;
      if (!connected) {
        connected = true;
        onConnected.run();
      }
      finish();
    }

    synchronized boolean following() {
      return connected && !broken;
    }

    private void finish() {
      if (!finished) {
        finished = true;
        onFinished.run();
      }
    }

    synchronized List<Arrival> arrivals(int client) {
      List<Arrival> list = new ArrayList<>();
      for (int i = 0; i < arrivals.length; i++) {
        if (arrivals[i] != 0) {
          list.add(new Arrival(client, i, arrivals[i], updatedAts[i]));
        }
      }
      return list;
    }
  }
}
