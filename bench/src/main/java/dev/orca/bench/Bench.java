package dev.orca.bench;

import dev.orca.testsupport.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./orca bench [sync|security|results|push|polling|startup|webhooks|lsremote|deploy|projector|sse|
 * heartbeats|list] [options]}: runs one benchmark and prints its figures next to a baseline measured in
 * the same run. An unknown option is refused.
 *
 * <ul>
 *   <li>{@code sync} (the default): latency from an accepted sync to the DeployCommand, per
 *       history length. Options: {@code --syncs N} per history length (default 300), {@code
 *       --warmup N} (20), {@code --hops N} (1000), {@code --history 10,1000,5000} (the
 *       repository's commits before the syncs; one row each).
 *   <li>{@code security}: the same latency with the broker's security on, next to plaintext in
 *       the same run: every client unauthenticated (baseline), each component with its own SCRAM
 *       principal and ACLs and the agent over SCRAM and TLS ({@code ./orca up}), every client over
 *       SCRAM and TLS. Options: {@code --syncs N} each way (300), {@code --warmup N} (30), {@code
 *       --rounds N} (5; the ways take turns).
 *   <li>{@code push}: one push to a repository of many applications, a few changed: to their
 *       DeployRequested and to the repository's success. Options: {@code --applications N}
 *       (1000), {@code --changed 1,10} (one row each), {@code --pushes N} (30), {@code --hops N}
 *       (1000).
 *   <li>{@code polling}: many polled repositories and one hanging remote: polled on time?
 *       Options: {@code --repositories N} (2000), {@code --interval S} (30), {@code --rounds N} (3).
 *   <li>{@code startup}: {@code ./orca up} from process start to healthy, first start and
 *       restarts. Options: {@code --restarts N} (3), {@code --deadline-s N} (180), {@code --render
 *       false} (skip the dashboard's first render), {@code --keep} (keep the data directory and
 *       logs), {@code --command "java -jar x.jar"} (start this instead of {@code ./orca up
 *       --no-build}; it must exec the JVM), {@code --root DIR} (the checkout, default the
 *       working directory).
 *   <li>{@code webhooks}: accepted GitHub push webhooks per second on one gateway and their
 *       latency to 202, against {@code GET /api/v1/health} of the same gateway. Options: {@code
 *       --count N} (5000 deliveries), {@code --concurrency N} (16 clients), {@code --repositories
 *       N} (200, to stay under the per-repository rate limit), {@code --warmup N} (1000).
 *   <li>{@code lsremote}: listing a remote's refs with JGit (the git library's RemoteBrowser)
 *       against the {@code git ls-remote} CLI, on one loopback git server. Options: {@code
 *       --repositories N} (2000), {@code --count N} (calls per client, default one per
 *       repository), {@code --concurrency N} (8), {@code --warmup N} (200).
 *   <li>{@code deploy}: on the real Docker daemon, each against {@code docker-compose up -d} of
 *       the same change in the same run: a commit to its new container running and to synced in
 *       the API, many applications on one agent redeployed by one push, a killed container to
 *       unhealthy in the API, and the agent's start-up and resident memory (the agent runs from
 *       its exec jar in a process of its own). Options: {@code --commits N} (10), {@code --kills
 *       N} (20), {@code --warmup N} (3 commits first, measured and reported apart, so the figures
 *       are of a hub and git server in steady state, as a long-running Orca is), {@code --stacks
 *       N} (50 applications), {@code --rounds N} (2 redeploys of all),
 *       {@code --concurrency N} (8: the agent's ORCA_AGENT_CONCURRENCY and the baseline's
 *       parallel docker-compose runs), {@code --agent-jar PATH} (default: {@code
 *       agent/target/orca-agent-*-exec.jar} of the checkout the bench jar was built in), {@code
 *       --agent-jvm-options "..."} (JVM options for the agent, as its JDK_JAVA_OPTIONS; none by
 *       default), {@code --keep} (keep the work directory and the agent's log).
 *   <li>{@code projector}: status events per second through the real gateway's projector, from the
 *       first record produced to the last row visible in PostgreSQL, against a single-row upsert
 *       loop on the same database. Options: {@code --events N} (20000, rounded down to whole
 *       deployments of every application, four records each), {@code --applications N} (1000), {@code
 *       --fsync on|off} (on: PostgreSQL as {@code ./orca up} runs it; off: the tests' server, without the
 *       disk's flushes). The other gateway benches below run on PostgreSQL as {@code ./orca up} runs it.
 *   <li>{@code sse}: the live feed's fan-out, change committed to event at each of many {@code GET
 *       /api/v1/events} clients (in a JVM of their own), and the gateway's memory with none, one and
 *       all connected, against one client. Options: {@code --clients N} (1000), {@code --changes N}
 *       (200), {@code --interval-ms N} (100 between changes).
 *   <li>{@code heartbeats}: many agents' heartbeats, the projector's writes to the agents table per
 *       heartbeat and every agent's status and lastSeen through the API, against the same gateway
 *       without heartbeats. Options: {@code --agents N} (1000), {@code --interval S} (15, the agent's
 *       default), {@code --intervals N} (4 measured, after 2 of warm-up).
 *   <li>{@code list}: {@code GET /api/v1/applications} with many applications: the first page, a
 *       deep page reached by following {@code Link}, a search and a filter, against the whole list.
 *       Options: {@code --applications N} (10000), {@code --requests N} (30 of each kind).
 * </ul>
 */
public final class Bench {

  static final String USAGE =
      "usage: bench [sync|security|results|push|polling|startup|webhooks|lsremote|deploy|projector|sse|heartbeats|list]"
          + " [options]; see README \"Benchmarks\"";

  private Bench() {}

  public static void main(String[] args) throws Exception {
    String name = args.length > 0 && !args[0].startsWith("--") ? args[0] : "sync";
    String[] rest = args.length > 0 && !args[0].startsWith("--") ? Arrays.copyOfRange(args, 1, args.length) : args;
    if (name.equals(SseClients.COMMAND)) {
      // The SSE bench's clients, in a child JVM; not a bench.
      SseClients.serve(rest, System.out);
      System.exit(0);
    }
    if (name.equals(GitServerProcess.COMMAND)) {
      // The ls-remote bench's own git server, in a child JVM; not a bench.
      GitServerProcess.serve(Integer.parseInt(rest[0]), System.out);
      System.exit(0);
    }
    int status = 0;
    try {
      switch (name) {
        case "sync" -> sync(rest);
        case "security" -> security(rest);
        case "results" -> results(rest);
        case "push" -> push(rest);
        case "polling" -> polling(rest);
        case "startup" -> startup(rest);
        case "webhooks" -> webhooks(rest);
        case "lsremote" -> lsremote(rest);
        case "deploy" -> deploy(rest);
        case "projector" -> projector(rest);
        case "sse" -> sse(rest);
        case "heartbeats" -> heartbeats(rest);
        case "list" -> list(rest);
        default -> throw new IllegalArgumentException("unknown bench " + name);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(USAGE);
      status = 2;
    } catch (Exception e) {
      // Exit even though the broker's, the gateway's or a client's threads are still running.
      e.printStackTrace();
      status = 1;
    } finally {
      SharedKafka.stop();
    }
    System.exit(status);
  }

  private static void security(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--syncs", "--warmup", "--rounds"), Set.of());
    int syncs = args.integer("--syncs", 300, 1);
    int warmup = args.integer("--warmup", 30, 0);
    int rounds = args.integer("--rounds", 5, 1);
    System.out.printf(Locale.ROOT, "Orca security bench: %d syncs (+%d warm-up) each way, plaintext against SCRAM"
        + " and SCRAM over TLS, on one broker with its authorizer, %d cores, Java %s%n", syncs, warmup, cores(),
        javaVersion());
    new SecurityBench(syncs, warmup, rounds).run().print(System.out);
  }

  private static void results(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--results", "--warmup", "--hops"), Set.of());
    int results = args.integer("--results", 300, 1);
    int warmup = args.integer("--warmup", 50, 0);
    int hops = args.integer("--hops", 1000, 1);
    System.out.printf(Locale.ROOT, "Orca results bench: %d results (+%d warm-up) each way, through the relay and"
        + " straight into agent-reports, baseline %d Kafka hops, %d cores, Java %s%n", results, warmup, hops, cores(),
        javaVersion());
    new ResultToStatusBench(results, warmup, hops).run().print(System.out);
  }

  private static void sync(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--syncs", "--warmup", "--hops", "--history"), Set.of());
    int syncs = args.integer("--syncs", 300, 1);
    int warmup = args.integer("--warmup", 20, 0);
    int hops = args.integer("--hops", 1000, 1);
    List<Integer> histories = integers(args, "--history", List.of(10, 1000, 5000));
    System.out.printf(Locale.ROOT,
        "Orca bench: %d syncs (+%d warm-up) per history of %s commits, baseline %d Kafka hops, %d cores, Java %s%n",
        syncs, warmup, histories, hops, cores(), javaVersion());
    SyncToCommandBench.Result result = new SyncToCommandBench(syncs, warmup, hops, histories).run();
    result.print(System.out);
  }

  private static void push(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--applications", "--changed", "--pushes", "--hops"), Set.of());
    int applications = args.integer("--applications", 1000, 1);
    List<Integer> changed = integers(args, "--changed", List.of(1, 10));
    if (changed.stream().anyMatch(c -> c > applications)) {
      throw new IllegalArgumentException("--changed cannot exceed --applications " + applications);
    }
    int pushes = args.integer("--pushes", 30, 1);
    int hops = args.integer("--hops", 1000, 1);
    System.out.printf(Locale.ROOT,
        "Orca push bench: %,d applications in one repository, %d pushes each changing %s of them, baseline %d Kafka "
            + "hops, %d cores, Java %s%n", applications, pushes, changed, hops, cores(), javaVersion());
    new PushFanOutBench(applications, changed, pushes, hops).run().print(System.out);
  }

  private static void polling(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--repositories", "--interval", "--rounds"), Set.of());
    int repositories = args.integer("--repositories", 2000, 1);
    int interval = args.integer("--interval", 30, 1);
    int rounds = args.integer("--rounds", 3, 1);
    System.out.printf(Locale.ROOT, "Orca polling bench: %,d repositories polled every %d s and one that hangs, "
        + "%d rounds measured, %d cores, Java %s%n", repositories, interval, rounds, cores(), javaVersion());
    new PollingBench(repositories, interval, rounds).run().print(System.out);
  }

  /** A comma-separated list of positive whole numbers, like {@code --history 10,1000,5000}. */
  static List<Integer> integers(Args args, String name, List<Integer> fallback) {
    String value = args.string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      List<Integer> values = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
      if (values.stream().anyMatch(v -> v < 1)) {
        throw new NumberFormatException();
      }
      return values;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes positive whole numbers separated by commas, not '" + value
          + "'");
    }
  }

  private static void startup(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of("--root", "--command", "--restarts", "--deadline-s", "--render"),
        Set.of("--keep"));
    Path root = Path.of(args.string("--root", ".")).toAbsolutePath().normalize();
    String command = args.string("--command", null);
    List<String> launch = command != null
        ? List.of(command.trim().split("\\s+"))
        : List.of(root.resolve("orca").toString(), "up", "--no-build");
    if (command == null && !Files.isExecutable(root.resolve("orca"))) {
      throw new IllegalArgumentException(root + " holds no orca script; run from the checkout or give --root");
    }
    StartupBench.Options options = new StartupBench.Options(root, launch, args.integer("--restarts", 3, 0),
        Duration.ofSeconds(args.integer("--deadline-s", 180, 1)),
        !"false".equals(args.string("--render", "true")), args.flag("--keep"));
    System.out.printf(Locale.ROOT, "Orca start-up bench: %s, %d restarts, %d cores, Java %s%n",
        String.join(" ", launch), options.restarts(), cores(), javaVersion());
    new StartupBench(options, System.out).run().print(System.out);
  }

  private static void webhooks(String[] argv) throws Exception {
    WebhookIntakeBench.Options options = webhookOptions(argv);
    System.out.printf(Locale.ROOT, "Orca webhook intake bench: %d GitHub push deliveries (+%d warm-up) from %d "
            + "clients over %d repositories, baseline GET /api/v1/health, %d cores, Java %s%n", options.count(),
        options.warmup(), options.concurrency(), options.repositories(), cores(), javaVersion());
    new WebhookIntakeBench(options, System.out).run().print(System.out);
  }

  private static void lsremote(String[] argv) throws Exception {
    LsRemoteBench.Options options = lsRemoteOptions(argv);
    System.out.printf(Locale.ROOT, "Orca ls-remote bench: %d repositories on one loopback git server, %d calls per "
            + "client (+%d warm-up), %d concurrent, JGit against the git CLI (%s), %d cores, Java %s%n",
        options.repositories(), options.count(), options.warmup(), options.concurrency(), gitVersion(), cores(),
        javaVersion());
    new LsRemoteBench(options, System.out).run().print(System.out);
  }

  private static void deploy(String[] argv) throws Exception {
    DeployBench.Options options = deployOptions(argv);
    System.out.printf(Locale.ROOT, "Orca deploy bench: %d commits (after %d of warm-up) to one application, %d kills "
            + "of its container, %d applications redeployed %d times by one push, agent concurrency %d, each against "
            + "docker-compose up -d (%s) on the same daemon, %d cores, Java %s%n", options.commits(), options.warmup(),
        options.kills(),
        options.stacks(), options.rounds(), options.concurrency(), composeVersion(), cores(), javaVersion());
    new DeployBench(options, System.out).run().print(System.out);
  }

  private static void projector(String[] argv) throws Exception {
    ProjectorBench.Options options = projectorOptions(argv);
    System.out.printf(Locale.ROOT, "Orca projector bench: %,d status events (%d deployments of each of %,d "
            + "applications) through the real gateway's projector, baseline as many single-row upserts on the same "
            + "database (fsync %s), %d cores, Java %s%n", options.measuredEvents(), options.deploymentsPerApplication(),
        options.applications(), options.durable() ? "on" : "off", cores(), javaVersion());
    new ProjectorBench(options, System.out).run().print(System.out);
  }

  private static void sse(String[] argv) throws Exception {
    SseFanOutBench.Options options = sseOptions(argv);
    System.out.printf(Locale.ROOT, "Orca SSE bench: %,d clients of GET /api/v1/events on the real gateway, %d changes "
            + "(one every %d ms) committed by its projector, baseline 1 client, %d cores, Java %s%n",
        options.clients(), options.changes(), options.intervalMillis(), cores(), javaVersion());
    new SseFanOutBench(options, System.out).run().print(System.out);
  }

  static SseFanOutBench.Options sseOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--clients", "--changes", "--interval-ms"), Set.of());
    return new SseFanOutBench.Options(args.integer("--clients", 1000, 1), args.integer("--changes", 200, 1),
        args.integer("--interval-ms", 100, 1));
  }

  private static void heartbeats(String[] argv) throws Exception {
    HeartbeatBench.Options options = heartbeatOptions(argv);
    System.out.printf(Locale.ROOT, "Orca heartbeats bench: %,d agents, a heartbeat each every %d s, %d intervals "
            + "measured, on the real gateway's projector, baseline the same gateway without heartbeats, %d cores, "
            + "Java %s%n", options.agents(), options.intervalSeconds(), options.intervals(), cores(), javaVersion());
    new HeartbeatBench(options, System.out).run().print(System.out);
  }

  static HeartbeatBench.Options heartbeatOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--agents", "--interval", "--intervals"), Set.of());
    return new HeartbeatBench.Options(args.integer("--agents", 1000, 1), args.integer("--interval", 15, 1),
        args.integer("--intervals", 4, 1));
  }

  private static void list(String[] argv) throws Exception {
    ListBench.Options options = listOptions(argv);
    System.out.printf(Locale.ROOT, "Orca list bench: GET /api/v1/applications with %,d applications on the real "
            + "gateway, pages of %d, a search and a filter, baseline the whole list, %d requests of each, %d cores, "
            + "Java %s%n", options.applications(), ListBench.PAGE, options.requests(), cores(), javaVersion());
    new ListBench(options, System.out).run().print(System.out);
  }

  static ListBench.Options listOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--applications", "--requests"), Set.of());
    return new ListBench.Options(args.integer("--applications", 10_000, 1), args.integer("--requests", 30, 1));
  }

  static ProjectorBench.Options projectorOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--events", "--applications", "--fsync"), Set.of());
    String fsync = args.string("--fsync", "on");
    if (!fsync.equals("on") && !fsync.equals("off")) {
      throw new IllegalArgumentException("--fsync takes on or off, not '" + fsync + "'");
    }
    return new ProjectorBench.Options(args.integer("--events", 20_000, 1), args.integer("--applications", 1000, 1),
        fsync.equals("on"));
  }

  static DeployBench.Options deployOptions(String[] argv) throws java.io.IOException {
    Args args = Args.parse(argv, Set.of("--commits", "--warmup", "--kills", "--stacks", "--rounds", "--concurrency",
        "--agent-jar", "--agent-jvm-options"), Set.of("--keep"));
    return new DeployBench.Options(args.integer("--commits", 10, 1), args.integer("--warmup", 3, 0),
        args.integer("--stacks", 50, 1),
        args.integer("--kills", 20, 1), args.integer("--rounds", 2, 1), args.integer("--concurrency", 8, 1),
        AgentProcess.findJar(args.string("--agent-jar", null)), args.flag("--keep"),
        args.string("--agent-jvm-options", null));
  }

  static WebhookIntakeBench.Options webhookOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--count", "--concurrency", "--repositories", "--warmup"), Set.of());
    return new WebhookIntakeBench.Options(args.integer("--count", 5000, 1), args.integer("--concurrency", 16, 1),
        args.integer("--repositories", 200, 1), args.integer("--warmup", 1000, 0));
  }

  static LsRemoteBench.Options lsRemoteOptions(String[] argv) {
    Args args = Args.parse(argv, Set.of("--count", "--concurrency", "--repositories", "--warmup"), Set.of());
    int repositories = args.integer("--repositories", 2000, 1);
    return new LsRemoteBench.Options(repositories, args.integer("--count", repositories, 1),
        args.integer("--concurrency", 8, 1), args.integer("--warmup", 200, 0));
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static String javaVersion() {
    return System.getProperty("java.version");
  }

  private static String composeVersion() {
    try {
      Process compose = new ProcessBuilder("docker-compose", "version", "--short").redirectErrorStream(true).start();
      String version = new String(compose.getInputStream().readAllBytes()).strip();
      return compose.waitFor() == 0 ? "docker-compose " + version : "docker-compose version failed";
    } catch (Exception e) {
      throw new IllegalArgumentException("the deploy bench needs docker-compose on PATH: " + e.getMessage(), e);
    }
  }

  private static String gitVersion() {
    try {
      Process git = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
      String version = new String(git.getInputStream().readAllBytes()).strip();
      return git.waitFor() == 0 ? version : "git --version failed";
    } catch (Exception e) {
      throw new IllegalStateException("the lsremote bench needs git on PATH: " + e.getMessage(), e);
    }
  }
}
