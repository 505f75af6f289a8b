package dev.orca.bench;

import dev.orca.testsupport.FreePorts;
import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.gateway.GatewayApplication;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a user of a deploy tool waits for, on the real Docker daemon, each figure next to plain
 * {@code docker-compose up -d} of the same compose file on the same daemon in the same run: a
 * commit (GitHub push webhook answered 202) to its new container running and to the API saying
 * {@code synced}; 50 applications redeployed by one push against 50 {@code docker-compose up -d}
 * run 8 at a time; a container killed to the API's SSE feed saying {@code unhealthy}, against the
 * engine's own {@code die} event; the agent's start-up and resident memory. Orca runs as {@code
 * ./orca up} runs it (broker, PostgreSQL, gateway, sync-stream and deploy-dispatcher in this JVM),
 * except the agent, started from its exec jar in a process of its own. Every container the bench
 * makes carries its run's label and is removed at the end, also on failure or interruption; its
 * stacks make no network (see {@link #compose}).
 */
final class DeployBench {

  /** The label every container of a run carries, Orca's and the baseline's: {@code orca-bench.run=<run>}. */
  static final String RUN_LABEL = "orca-bench.run";
  /** The agent's label naming the application a container belongs to. */
  private static final String APPLICATION_LABEL = "orca-cd.application-id";
  private static final String PROJECT_LABEL = "com.docker.compose.project";
  private static final String IMAGE = "orca-test/busybox:1";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration SETUP_WAIT = Duration.ofMinutes(5);
  private static final Duration CLI_WAIT = Duration.ofSeconds(120);
  /** How long the agent is left alone before its idle memory is read. */
  private static final Duration SETTLE = Duration.ofSeconds(5);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** {@code agentJvmOptions}: JVM options for the agent, given as {@code JDK_JAVA_OPTIONS}; null for none. */
  record Options(int commits, int warmup, int stacks, int kills, int rounds, int concurrency, Path agentJar,
      boolean keep, String agentJvmOptions) {}

  private final Options options;
  private final PrintStream out;
  /** This run's id: in its label, its compose projects and its topic prefix. */
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Journal journal = new Journal();
  /** Compose projects this run made (Orca's and the baseline's), for the clean-up. */
  private final Set<String> projects = ConcurrentHashMap.newKeySet();

  DeployBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  // ---------------------------------------------------------------------------------------------
  // Figures

  /** One commit on the single application: nanoseconds of each step. */
  record Commit(long acceptedToSyncRequested, long syncRequestedToDeployRequested, long deployRequestedToCommand,
      long acceptedToCommand, long commandToRunning, long acceptedToRunning, long runningToResult, long resultToSynced, long acceptedToSynced,
      long baselineToRunning, long baselineComposeExit) {}

  /** One kill of the single application's container. */
  record Kill(long killToDie, long killToUnhealthy, long restartToHealthy) {}

  /** One redeploy of every stack: Orca's and the baseline's, each stack's time and the last. */
  record Round(long[] orcaRunning, long orcaAllSynced, long[] baselineRunning, long baselineComposeWall,
      long agentPeakRss, Cpu agentCpu, double baselineComposeCpuSeconds) {}

  /** CPU seconds of a process and of the children it waited for (the agent's compose runs). */
  record Cpu(double own, double children) {

    static Cpu of(ProcStat stat) {
      return new Cpu(stat.cpuSeconds(), stat.childCpuSeconds());
    }

    Cpu minus(Cpu before) {
      return new Cpu(own - before.own, children - before.children);
    }
  }

  /** One start of the agent, from its process start: its "started" and "Connected" lines and its first heartbeat. */
  record Start(long toStartedLine, long toConnectedLine, long toHeartbeat) {}

  /**
   * The agent started as its pasted command does: {@code --check} (which archives the classes it
   * loaded for Java's CDS) to its exit, then the agent without that archive (stopped again) and with
   * it (the one the bench goes on with); beside a JVM running an empty main.
   */
  record Startup(long checkToExit, Start withoutArchive, Start withArchive, long toOnline, double emptyJvmSeconds) {}

  record Memory(long idleEmpty, long idleWithStacks, long peakCreatingStacks, AgentProcess.AfterGc afterGc,
      long emptyJvm) {}

  /** {@code warmups}: the first commits, measured the same way and reported apart, not in {@code commits}. */
  record Report(Options options, Startup startup, Memory memory, List<Commit> warmups, List<Commit> commits,
      List<Kill> kills, List<Round> rounds, double setupStacksSeconds, double setupBaselineSeconds) {

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "1. one application, %d commits after %d of warm-up, each changing its compose file (ms)%n",
          commits.size(), warmups.size());
      header(out, "p50", "p90", "max", "p50 / base");
      Percentiles base = of(commits, Commit::baselineToRunning);
      if (!warmups.isEmpty()) {
        Percentiles warmBase = of(warmups, Commit::baselineToRunning);
        row(out, "warm-up: docker-compose up -d -> new container running", warmBase, warmBase);
        row(out, "warm-up: Orca push webhook 202 -> new container running", of(warmups, Commit::acceptedToRunning),
            warmBase);
      }
      row(out, "baseline: docker-compose up -d -> new container running", base, base);
      row(out, "Orca: push webhook 202 -> new container running", of(commits, Commit::acceptedToRunning), base);
      row(out, "  of which: 202 -> DeployCommand on the agent's topic", of(commits, Commit::acceptedToCommand), null);
      row(out, "    202 -> SyncRequested (the outbox relay)", of(commits, Commit::acceptedToSyncRequested), null);
      row(out, "    -> DeployRequested (sync-stream: fetch, read)", of(commits, Commit::syncRequestedToDeployRequested),
          null);
      row(out, "    -> DeployCommand (deploy-dispatcher)", of(commits, Commit::deployRequestedToCommand), null);
      row(out, "  of which: DeployCommand -> new container running", of(commits, Commit::commandToRunning), null);
      row(out, "Orca: push webhook 202 -> API synced (SSE)", of(commits, Commit::acceptedToSynced), base);
      row(out, "  of which: container running -> agent's DeployResult", of(commits, Commit::runningToResult), null);
      row(out, "  of which: DeployResult -> API synced (SSE)", of(commits, Commit::resultToSynced), null);
      row(out, "baseline: docker-compose up -d until it exits", of(commits, Commit::baselineComposeExit), null);

      out.println();
      out.printf(Locale.ROOT, "2. %d applications on one agent, redeployed by one push (s; agent concurrency %d, "
          + "baseline %d docker-compose up -d at a time)%n", options.stacks(), options.concurrency(),
          options.concurrency());
      out.printf(Locale.ROOT, "%-56s %9s %9s %9s %9s %9s %8s%n", "round", "Orca all", "base all", "ratio",
          "Orca p50", "base p50", "synced");
      for (int r = 0; r < rounds.size(); r++) {
        Round round = rounds.get(r);
        Percentiles orca = Percentiles.of(round.orcaRunning());
        Percentiles baseline = Percentiles.of(round.baselineRunning());
        double orcaAll = orca.percentileMillis(100) / 1000;
        double baseAll = baseline.percentileMillis(100) / 1000;
        out.printf(Locale.ROOT, "%-56s %9.2f %9.2f %9.2f %9.2f %9.2f %8.2f%n",
            "redeploy " + (r + 1) + ": to every new container running", orcaAll, baseAll, orcaAll / baseAll,
            orca.percentileMillis(50) / 1000, baseline.percentileMillis(50) / 1000, round.orcaAllSynced() / 1e9);
      }
      out.printf(Locale.ROOT, "(Orca: from the push webhook's 202; baseline: from starting the first docker-compose; "
          + "p50: the median stack's new container; synced: Orca's last application synced in the API. The baseline's "
          + "docker-compose runs took %s s of wall time)%n", rounds.stream()
          .map(r -> String.format(Locale.ROOT, "%.2f", r.baselineComposeWall() / 1e9)).toList());
      out.printf(Locale.ROOT, "set-up: %d applications created through the API and deployed in %.1f s; the same "
          + "stacks brought up by docker-compose in %.1f s%n", options.stacks(), setupStacksSeconds,
          setupBaselineSeconds);

      out.println();
      out.printf(Locale.ROOT, "3. a container killed (SIGKILL to its main process), %d times (ms)%n", kills.size());
      header(out, "p50", "p99", "max", "p50 / base");
      Percentiles die = ofKills(Kill::killToDie);
      row99(out, "baseline: kill -> the engine's die event (docker events)", die, die);
      row99(out, "Orca: kill -> API unhealthy (SSE)", ofKills(Kill::killToUnhealthy), die);
      row99(out, "Orca: docker start -> API healthy (SSE)", ofKills(Kill::restartToHealthy), null);

      out.println();
      String arenas = System.getenv("MALLOC_ARENA_MAX");
      out.println("4. the agent, a process of its own (java -jar orca-agent-*-exec.jar, " + (options.agentJvmOptions() == null
          ? "no JVM options" : "JDK_JAVA_OPTIONS=\"" + options.agentJvmOptions() + "\"")
          + (arenas == null ? "" : ", MALLOC_ARENA_MAX=" + arenas + " inherited") + ")");
      out.printf(Locale.ROOT, "start-up, as the pasted command starts it: --check (it archives the classes it "
              + "loads) from process start to exit %.2f s; then from process start to its 'started' line / its "
              + "'Connected' line (first heartbeat acknowledged) / that heartbeat read from its topic: without the "
              + "archive %s s, with it %s s; online in the API %.2f s after the check started; baseline: a JVM "
              + "with an empty main %.2f s%n", startup.checkToExit() / 1e9, seconds(startup.withoutArchive()),
          seconds(startup.withArchive()), startup.toOnline() / 1e9, startup.emptyJvmSeconds());
      out.printf(Locale.ROOT, "resident memory: idle with no application %d MB; peak while %d applications were "
              + "created and deployed %d MB; idle with %d applications %d MB; peak during each redeploy of all %s MB; "
              + "baseline: an idle JVM with an empty main %d MB%n", memory.idleEmpty(), options.stacks(),
          memory.peakCreatingStacks(), options.stacks() + 1, memory.idleWithStacks(),
          rounds.stream().map(r -> Long.toString(r.agentPeakRss())).toList(), memory.emptyJvm());
      out.printf(Locale.ROOT, "after the redeploys and a full GC (jcmd GC.run): %d MB resident, %d MB of heap in use%s%n",
          memory.afterGc().rssMegabytes(), memory.afterGc().heapUsedMegabytes(), options.agentJvmOptions() == null
              ? " (the JVM's default maximum heap is a quarter of the machine's memory)" : "");
      out.printf(Locale.ROOT, "CPU of each redeploy of all: the agent's JVM %s s and its docker-compose runs %s s; "
              + "baseline: the docker-compose runs %s s%n",
          rounds.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.agentCpu().own())).toList(),
          rounds.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.agentCpu().children())).toList(),
          rounds.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.baselineComposeCpuSeconds())).toList());
    }

    private static String seconds(Start start) {
      return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", start.toStartedLine() / 1e9,
          start.toConnectedLine() / 1e9, start.toHeartbeat() / 1e9);
    }

    private Percentiles ofKills(java.util.function.ToLongFunction<Kill> figure) {
      return Percentiles.of(kills.stream().mapToLong(figure).toArray());
    }

    private static Percentiles of(List<Commit> commits, java.util.function.ToLongFunction<Commit> figure) {
      return Percentiles.of(commits.stream().mapToLong(figure).toArray());
    }

    private static void header(PrintStream out, String a, String b, String c, String d) {
      out.printf(Locale.ROOT, "%-56s %8s %8s %8s %8s %10s%n", "", "samples", a, b, c, d);
    }

    private static void row(PrintStream out, String name, Percentiles p, Percentiles base) {
      line(out, name, p, 90, base);
    }

    private static void row99(PrintStream out, String name, Percentiles p, Percentiles base) {
      line(out, name, p, 99, base);
    }

    private static void line(PrintStream out, String name, Percentiles p, double high, Percentiles base) {
      out.printf(Locale.ROOT, "%-56s %8d %8.0f %8.0f %8.0f %10s%n", name, p.count(), p.percentileMillis(50),
          p.percentileMillis(high), p.percentileMillis(100), base == null ? ""
              : String.format(Locale.ROOT, "%.2f", p.percentileMillis(50) / base.percentileMillis(50)));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The run

  Report run() throws Exception {
    Path work = Files.createTempDirectory("orca-deploy-bench");
    Thread cleanupHook = new Thread(this::removeContainers, "deploy-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    boolean failed = true;
    try {
      requireDocker();
      Report report = measure(work);
      failed = false;
      return report;
    } finally {
      removeContainers();
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
      if (options.keep() || failed) {
        out.println("kept " + work + " (the agent's log is agent.log)");
      } else {
        SyncToCommandBench.deleteRecursively(work);
      }
    }
  }

  private Report measure(Path work) throws Exception {
    double emptyJvmSeconds = StartupBench.baseline(work);
    long emptyJvmRss = idleJvmRss(work);
    out.printf(Locale.ROOT, "baseline JVM (empty main): starts and exits in %.2f s, %d MB resident when idle%n",
        emptyJvmSeconds, emptyJvmRss);

    long begun = System.nanoTime();
    String bootstrap = SharedKafka.bootstrapServers();
    SharedPostgres.Database database = SharedPostgres.newDatabase();
    Topics topics = new Topics("bench-" + run + ".", 3, (short) 1);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicAdmin.ensure(admin, topics.sharedTopics(), Duration.ofSeconds(30));
    }
    Path dataDir = Files.createDirectories(work.resolve("data"));
    Map<String, String> env = Map.of("ORCA_KAFKA_BOOTSTRAP", bootstrap, "ORCA_DATA_DIR", dataDir.toString(),
        "ORCA_ALLOW_LOCAL_GIT", "true", "ORCA_TOPIC_PREFIX", topics.prefix());
    int port = FreePorts.next();
    String base = "http://127.0.0.1:" + port;
    Map<String, Object> properties =
        new LinkedHashMap<>(WebhookIntakeBench.gatewayProperties(bootstrap, database, port, base, topics.prefix()));
    properties.put("orca.allow-local-git", "true");
    // Spring must not re-initialise logging: slf4j-simple serves every part of this JVM.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try (GitServer git = GitServer.start();
         ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
             .properties(properties).registerShutdownHook(false).logStartupInfo(false).run();
         SyncStream sync = SyncStream.start(SyncStreamSettings.fromEnvironment(env));
         DeployDispatcher dispatcher = DeployDispatcher.start(DispatcherSettings.fromEnvironment(env))) {
      if (!sync.awaitRunning(WAIT)) {
        throw new IllegalStateException("sync-stream did not reach RUNNING within " + WAIT);
      }
      out.printf(Locale.ROOT, "broker, PostgreSQL, gateway, sync-stream and deploy-dispatcher ready in %.1f s%n",
          (System.nanoTime() - begun) / 1e9);
      WebhookIntakeBench.Api api = new WebhookIntakeBench.Api(http, base);
      String session = api.registerAndLogin();
      try (AutoCloseable sse = journal.followEvents(http, base, session);
           AutoCloseable docker = journal.followDocker(RUN_LABEL + "=" + run)) {
        JsonNode created = JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/agents",
            "{\"name\":\"bench-host\"}", session), 201).body());
        String agentId = created.path("id").asString();
        JsonNode connection = created.path("connection");
        try (AutoCloseable events = journal.followTopic(bootstrap, topics.agentEvents(agentId));
             AutoCloseable commands = journal.followTopic(bootstrap, topics.agentCommands(agentId));
             AutoCloseable syncs = journal.followTopic(bootstrap, topics.syncRequests());
             AutoCloseable deploys = journal.followTopic(bootstrap, topics.deployRequests())) {
          // The agents start with this JVM quiet: its gateway, streams and broker have just started.
          JvmQuiet.await(Duration.ofSeconds(60), out);
          Path archive = work.resolve("orca-agent.jsa");
          int beforeCheck = journal.mark();
          long checkStarted = System.nanoTime();
          long checkToExit;
          try (AgentProcess check = startAgent(connection, work, List.of("-XX:ArchiveClassesAtExit=" + archive,
              "-Xlog:cds=off", "-Xlog:cds+dynamic=off"), List.of("--check"), "agent-check.log")) {
            int status = check.awaitExit((int) WAIT.toSeconds());
            checkToExit = System.nanoTime() - check.startedNanos();
            if (status != 0 || !Files.isRegularFile(archive)) {
              throw new IllegalStateException("the agent's check ended with status " + status + "; see "
                  + work.resolve("agent-check.log"));
            }
          }
          Journal.Entry online = journal.await(beforeCheck, e -> e.source() == Journal.Source.SSE
              && e.kind().equals("agent") && e.text("id").equals(agentId) && e.text("status").equals("online"), WAIT,
              "the agent online in the API");
          Start withoutArchive;
          try (AgentProcess cold = startAgent(connection, work, List.of(), List.of(), "agent-without-archive.log")) {
            withoutArchive = start(cold);
          }
          AgentProcess agent = startAgent(connection, work, List.of("-XX:SharedArchiveFile=" + archive), List.of(),
              "agent.log");
          try (agent) {
          Startup startup = new Startup(checkToExit, withoutArchive, start(agent), online.nanos() - checkStarted,
              emptyJvmSeconds);
          Thread.sleep(SETTLE.toMillis());
          long idleEmpty = agent.rssMegabytes();
          out.printf(Locale.ROOT, "agent %s: connected %.2f s after its start (with the class archive), %d MB resident"
              + " when idle%n", agentId, startup.withArchive().toConnectedLine() / 1e9, idleEmpty);

          Session orca = new Session(http, api, session, git, agentId);
          SingleApplication single = new SingleApplication(orca, work);
          List<Commit> warmups = single.commits(1, options.warmup(), "warm-up commit");
          List<Commit> commits = single.commits(options.warmup() + 1, options.commits(), "commit");
          List<Kill> kills = single.kills();

          Stacks stacks = new Stacks(orca, work, agent);
          List<Round> rounds = stacks.rounds();
          AgentProcess.AfterGc afterGc = agent.afterFullGc();
          return new Report(options, startup, new Memory(idleEmpty, stacks.idleRss, stacks.peakCreating, afterGc,
              emptyJvmRss),
              warmups, commits, kills, rounds, stacks.setupSeconds, stacks.baselineSetupSeconds);
          }
        }
      }
    }
  }

  private AgentProcess startAgent(JsonNode connection, Path work, List<String> jvmOptions, List<String> arguments,
      String log) throws IOException {
    // The agent starts as a user's would: with the settings of its connection's environment file
    // (its own credential, SCRAM over TLS to the agents' listener).
    Map<String, String> env = new LinkedHashMap<>(dev.orca.schemas.EnvironmentFile.parse(connection.path("environmentFile").asString()));
    env.put("ORCA_AGENT_DEPLOYMENTS_DIR", Files.createDirectories(work.resolve("deployments")).toString());
    env.put("ORCA_AGENT_CONCURRENCY", Integer.toString(options.concurrency()));
    if (options.agentJvmOptions() != null && !options.agentJvmOptions().isBlank()) {
      env.put("JDK_JAVA_OPTIONS", options.agentJvmOptions());
    }
    return AgentProcess.start(options.agentJar(), jvmOptions, arguments, env, work.resolve(log));
  }

  /** From the agent's process start to its "started" and "Connected" lines and its first heartbeat on its topic. */
  private Start start(AgentProcess agent) throws Exception {
    int from = journal.mark();
    long startedLine = agent.startedLineNanos((int) WAIT.toSeconds());
    long connectedLine = agent.connectedLineNanos((int) WAIT.toSeconds());
    Journal.Entry heartbeat = journal.await(from, e -> e.source() == Journal.Source.KAFKA
        && e.kind().equals("Heartbeat") && e.nanos() > agent.startedNanos(), WAIT, "the agent's first heartbeat");
    return new Start(startedLine, connectedLine, heartbeat.nanos() - agent.startedNanos());
  }

  /** The API, the git server and the agent the applications are deployed on. */
  private record Session(HttpClient http, WebhookIntakeBench.Api api, String session, GitServer git, String agentId) {

    /** A repository of sync type webhook (so nothing polls it) on the bench's git server, and its webhook. */
    Repository repository(String name, Map<String, String> files) throws Exception {
      GitRepo repo = git.createRepository(name);
      String sha = repo.commitFiles(files, "first");
      String secret = "whsec-" + WebhookIntakeBench.randomToken();
      JsonNode created = JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/repositories",
          "{\"name\":\"" + name + "\",\"url\":\"" + repo.url() + "\",\"provider\":\"github\",\"authMethod\":\"none\","
              + "\"syncType\":\"webhook\",\"webhookSecret\":\"" + secret + "\"}", session), 201).body());
      return new Repository(repo, created.path("id").asString(), created.path("webhookUrl").asString(), secret, sha);
    }

    /** Creates an application on the agent; its first sync starts at once. Returns its id. */
    String application(String name, Repository repository, String path) throws Exception {
      return JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/applications", "{\"name\":\"" + name
          + "\",\"repositoryId\":\"" + repository.id() + "\",\"agentId\":\"" + agentId + "\",\"branch\":\"main\","
          + "\"path\":\"" + path + "\"}", session), 201).body()).path("id").asString();
    }

    /** Sends the push of {@code sha} as GitHub would; returns when the gateway has answered 202. */
    void push(Repository repository, String sha) throws Exception {
      HttpResponse<String> accepted = http.send(WebhookIntakeBench.githubPush(repository.webhookUrl(),
          repository.secret(), sha, WAIT), HttpResponse.BodyHandlers.ofString());
      if (accepted.statusCode() != 202) {
        throw new IllegalStateException("the push webhook answered " + accepted.statusCode() + ": " + accepted.body());
      }
    }

    JsonNode get(String path) throws Exception {
      return JSON.readTree(WebhookIntakeBench.Api.expect(api.get(path, session), 200).body());
    }
  }

  private record Repository(GitRepo git, String id, String webhookUrl, String secret, String firstCommit) {}

  // ---------------------------------------------------------------------------------------------
  // 1 and 3: one application

  /** One application and its baseline twin: commits to it, then kills of its container. */
  private final class SingleApplication {
    private final Session orca;
    private final Path baselineDir;
    private final String baselineProject = "orcabench-" + run + "-single";
    private final Repository repository;
    private final String applicationId;

    SingleApplication(Session orca, Path work) throws Exception {
      this.orca = orca;
      this.repository = orca.repository("single", Map.of("single/compose.yaml", compose(0)));
      int mark = journal.mark();
      this.applicationId = orca.application("single", repository, "single/compose.yaml");
      projects.add(orcaProject(applicationId));
      awaitSynced(mark, applicationId, repository.firstCommit(), SETUP_WAIT);
      this.baselineDir = Files.createDirectories(work.resolve("baseline/single"));
      projects.add(baselineProject);
      Files.writeString(baselineDir.resolve("docker-compose.yml"), compose(0));
      composeUp(baselineDir, baselineProject);
      out.printf(Locale.ROOT, "application 'single' %s deployed; its baseline twin is project %s%n", applicationId,
          baselineProject);
    }

    /** {@code count} commits from version {@code first} on, each printed as "{@code label} N". */
    List<Commit> commits(int first, int count, String label) throws Exception {
      List<Commit> commits = new ArrayList<>();
      for (int version = first; version < first + count; version++) {
        // Orca first, then the baseline, commit after commit: drift on a shared machine falls on both.
        String sha = repository.git().commit("single/compose.yaml", compose(version), "version " + version);
        int mark = journal.mark();
        orca.push(repository, sha);
        long accepted = System.nanoTime();
        Journal.Entry syncRequested = journal.await(mark, e -> e.source() == Journal.Source.KAFKA
            && e.kind().equals("SyncRequested") && e.text("repositoryId").equals(repository.id()), WAIT,
            "the SyncRequested of repository " + repository.id());
        Journal.Entry deployRequested = journal.await(mark, e -> e.source() == Journal.Source.KAFKA
            && e.kind().equals("DeployRequested") && e.text("applicationId").equals(applicationId), WAIT,
            "the DeployRequested of " + applicationId);
        Journal.Entry command = journal.await(mark, e -> e.source() == Journal.Source.KAFKA
            && e.kind().equals("DeployCommand") && e.text("applicationId").equals(applicationId), WAIT,
            "the DeployCommand of " + applicationId);
        Journal.Entry running = awaitStart(mark, byApplication(applicationId), "application " + applicationId);
        Journal.Entry result = journal.await(mark, deployResult(applicationId), WAIT,
            "the DeployResult of " + applicationId);
        Journal.Entry synced = awaitSynced(mark, applicationId, sha, WAIT);
        JsonNode stored = orca.get("/api/v1/applications/" + applicationId);
        if (!stored.path("syncStatus").asString().equals("synced") || !stored.path("commit").asString().equals(sha)) {
          throw new IllegalStateException("SSE said synced at " + sha + ", then GET said " + stored.path("syncStatus")
              + " at " + stored.path("commit"));
        }

        Files.writeString(baselineDir.resolve("docker-compose.yml"), compose(version));
        int baselineMark = journal.mark();
        long started = System.nanoTime();
        composeUp(baselineDir, baselineProject);
        long exited = System.nanoTime();
        Journal.Entry baselineRunning = awaitStart(baselineMark, byProject(baselineProject), baselineProject);

        Commit commit = new Commit(syncRequested.nanos() - accepted, deployRequested.nanos() - syncRequested.nanos(),
            command.nanos() - deployRequested.nanos(), command.nanos() - accepted, running.nanos() - command.nanos(),
            running.nanos() - accepted, result.nanos() - running.nanos(),
            synced.nanos() - result.nanos(), synced.nanos() - accepted, baselineRunning.nanos() - started,
            exited - started);
        out.printf(Locale.ROOT, "%s %d: Orca running after %.0f ms, synced after %.0f ms; docker-compose running "
            + "after %.0f ms%n", label, version, commit.acceptedToRunning() / 1e6, commit.acceptedToSynced() / 1e6,
            commit.baselineToRunning() / 1e6);
        commits.add(commit);
      }
      return commits;
    }

    List<Kill> kills() throws Exception {
      List<Kill> kills = new ArrayList<>();
      for (int k = 1; k <= options.kills(); k++) {
        String container = journal.last(byApplication(applicationId).and(e -> e.kind().equals("start")))
            .orElseThrow(() -> new IllegalStateException("no container of " + applicationId + " seen starting"))
            .text("ID");
        long pid = Long.parseLong(cli(List.of("docker", "inspect", "--format", "{{.State.Pid}}", container), null)
            .strip());
        ProcessHandle main = ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("container " + container + " runs no process " + pid));
        int mark = journal.mark();
        long killed = System.nanoTime();
        if (!main.destroyForcibly()) {
          throw new IllegalStateException("cannot kill process " + pid + " of container " + container);
        }
        Journal.Entry died = journal.await(mark, e -> e.source() == Journal.Source.DOCKER && e.kind().equals("die")
            && e.text("ID").equals(container), WAIT, "the die event of " + container);
        Journal.Entry unhealthy = awaitHealth(mark, "unhealthy");
        String health = orca.get("/api/v1/applications/" + applicationId).path("healthStatus").asString();
        if (!health.equals("unhealthy")) {
          throw new IllegalStateException("SSE said unhealthy, then GET said " + health);
        }

        int restartMark = journal.mark();
        long restarting = System.nanoTime();
        cli(List.of("docker", "start", container), null);
        Journal.Entry healthy = awaitHealth(restartMark, "healthy");
        Kill kill = new Kill(died.nanos() - killed, unhealthy.nanos() - killed, healthy.nanos() - restarting);
        out.printf(Locale.ROOT, "kill %d: die event after %.0f ms, API unhealthy after %.0f ms%n", k,
            kill.killToDie() / 1e6, kill.killToUnhealthy() / 1e6);
        kills.add(kill);
      }
      return kills;
    }

    private Journal.Entry awaitHealth(int mark, String health) throws InterruptedException {
      return journal.await(mark, application(applicationId).and(e -> e.text("healthStatus").equals(health)), WAIT,
          "application " + applicationId + " " + health + " in the API");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 2: many applications on one agent

  /** {@code --stacks} applications in one repository, each with its baseline twin, redeployed by one push. */
  private final class Stacks {
    private final Session orca;
    private final AgentProcess agent;
    private final Repository repository;
    private final List<String> applicationIds;
    private final List<Path> baselineDirs = new ArrayList<>();
    private final List<String> baselineProjects = new ArrayList<>();
    final double setupSeconds;
    final double baselineSetupSeconds;
    final long peakCreating;
    final long idleRss;

    Stacks(Session orca, Path work, AgentProcess agent) throws Exception {
      this.orca = orca;
      this.agent = agent;
      int n = options.stacks();
      Map<String, String> files = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        files.put(path(i), compose(0));
      }
      long begun = System.nanoTime();
      agent.resetPeak();
      this.repository = orca.repository("stacks", files);
      int mark = journal.mark();
      String[] ids = new String[n];
      Load.Result created = Load.run(n, 8, i -> {
        ids[i] = orca.application(String.format(Locale.ROOT, "stack-%03d", i), repository, path(i));
        projects.add(orcaProject(ids[i]));
        return "created";
      });
      if (created.count("created"::equals) != n) {
        throw new IllegalStateException("creating the applications failed: " + created.counts());
      }
      this.applicationIds = List.of(ids);
      for (String id : applicationIds) {
        awaitSynced(mark, id, repository.firstCommit(), SETUP_WAIT);
      }
      this.setupSeconds = (System.nanoTime() - begun) / 1e9;
      this.peakCreating = agent.peakRssMegabytes();

      for (int i = 0; i < n; i++) {
        Path dir = Files.createDirectories(work.resolve("baseline").resolve(String.format(Locale.ROOT, "s%03d", i)));
        Files.writeString(dir.resolve("docker-compose.yml"), compose(0));
        baselineDirs.add(dir);
        String project = String.format(Locale.ROOT, "orcabench-%s-s%03d", run, i);
        baselineProjects.add(project);
        projects.add(project);
      }
      long baselineBegun = System.nanoTime();
      upAll();
      this.baselineSetupSeconds = (System.nanoTime() - baselineBegun) / 1e9;
      out.printf(Locale.ROOT, "%d applications created and deployed in %.1f s; their baseline twins up in %.1f s%n",
          n, setupSeconds, baselineSetupSeconds);
      Thread.sleep(SETTLE.toMillis());
      this.idleRss = agent.rssMegabytes();
    }

    List<Round> rounds() throws Exception {
      List<Round> rounds = new ArrayList<>();
      int n = options.stacks();
      for (int r = 1; r <= options.rounds(); r++) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          files.put(path(i), compose(r));
        }
        String sha = repository.git().commitFiles(files, "round " + r);
        int mark = journal.mark();
        agent.resetPeak();
        Cpu cpuBefore = agent.cpu();
        orca.push(repository, sha);
        long accepted = System.nanoTime();
        long[] orcaRunning = new long[n];
        for (int i = 0; i < n; i++) {
          orcaRunning[i] = awaitStart(mark, byApplication(applicationIds.get(i)), "application "
              + applicationIds.get(i)).nanos() - accepted;
        }
        long allSynced = 0;
        for (String id : applicationIds) {
          allSynced = Math.max(allSynced, awaitSynced(mark, id, sha, WAIT).nanos() - accepted);
        }
        long peak = agent.peakRssMegabytes();
        Cpu cpu = agent.cpu().minus(cpuBefore);

        for (int i = 0; i < n; i++) {
          Files.writeString(baselineDirs.get(i).resolve("docker-compose.yml"), compose(r));
        }
        int baselineMark = journal.mark();
        // This JVM waits for each docker-compose it starts, so their CPU adds to its children's.
        double composeCpuBefore = ProcStat.of(ProcessHandle.current().pid()).childCpuSeconds();
        long started = System.nanoTime();
        long wall = upAll();
        double composeCpu = ProcStat.of(ProcessHandle.current().pid()).childCpuSeconds() - composeCpuBefore;
        long[] baselineRunning = new long[n];
        for (int i = 0; i < n; i++) {
          baselineRunning[i] = awaitStart(baselineMark, byProject(baselineProjects.get(i)), baselineProjects.get(i))
              .nanos() - started;
        }
        Round round = new Round(orcaRunning, allSynced, baselineRunning, wall, peak, cpu, composeCpu);
        out.printf(Locale.ROOT, "redeploy %d of %d applications: Orca all running after %.2f s, all synced after "
            + "%.2f s; docker-compose all running after %.2f s%n", r, n,
            Percentiles.of(orcaRunning).percentileMillis(100) / 1000, allSynced / 1e9,
            Percentiles.of(baselineRunning).percentileMillis(100) / 1000);
        rounds.add(round);
      }
      return rounds;
    }

    /** Every baseline stack's docker-compose up -d, {@code --concurrency} at a time; the wall time. */
    private long upAll() throws InterruptedException {
      Load.Result result = Load.run(baselineDirs.size(), options.concurrency(), i -> {
        composeUp(baselineDirs.get(i), baselineProjects.get(i));
        return "up";
      });
      if (result.count("up"::equals) != baselineDirs.size()) {
        throw new IllegalStateException("docker-compose up failed: " + result.counts());
      }
      return result.wallNanos();
    }

    private static String path(int i) {
      return String.format(Locale.ROOT, "stacks/%03d/compose.yaml", i);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The stack every application deploys: one service that stops as soon as it is asked to (busybox
   * httpd as PID 1 ignores SIGTERM, and compose would wait its grace period on every recreate) and
   * carries the run's label; {@code version} changes its environment, so compose recreates it. It
   * has no network ({@code network_mode: none}): with a network per compose project, as compose
   * makes by default, the daemon's default address pools run out at about 30 networks ("could not
   * find an available, non-overlapping IPv4 address pool", seen here at the 21st of 50 applications
   * with 29 networks on the daemon); one network shared by the run was left with a stale endpoint
   * that no {@code docker network rm} could remove short of restarting the daemon.
   */
  private String compose(int version) {
    return "services:\n"
        + "  web:\n"
        + "    image: " + IMAGE + "\n"
        + "    network_mode: none\n"
        + "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait\"]\n"
        + "    labels:\n"
        + "      " + RUN_LABEL + ": \"" + run + "\"\n"
        + "    environment:\n"
        + "      VERSION: \"" + version + "\"\n";
  }

  private static String orcaProject(String applicationId) {
    // The dispatcher's project name for an application (Deployments.project).
    return "orca-" + applicationId.toLowerCase(Locale.ROOT);
  }

  private static Predicate<Journal.Entry> byApplication(String applicationId) {
    return e -> e.source() == Journal.Source.DOCKER && e.label(APPLICATION_LABEL).equals(applicationId);
  }

  private static Predicate<Journal.Entry> byProject(String project) {
    return e -> e.source() == Journal.Source.DOCKER && e.label(PROJECT_LABEL).equals(project);
  }

  private static Predicate<Journal.Entry> application(String applicationId) {
    return e -> e.source() == Journal.Source.SSE && e.kind().equals("application") && e.text("id").equals(applicationId);
  }

  private static Predicate<Journal.Entry> deployResult(String applicationId) {
    return e -> e.source() == Journal.Source.KAFKA && e.kind().equals("DeployResult")
        && e.text("applicationId").equals(applicationId);
  }

  private Journal.Entry awaitStart(int mark, Predicate<Journal.Entry> container, String what)
      throws InterruptedException {
    return journal.await(mark, container.and(e -> e.kind().equals("start")), WAIT, "a new container of " + what);
  }

  /** The SSE event saying the application is synced at {@code commit}; fails if a deployment fails first. */
  private Journal.Entry awaitSynced(int mark, String applicationId, String commit, Duration wait)
      throws InterruptedException {
    Journal.Entry entry = journal.await(mark, application(applicationId).and(e -> e.text("commit").equals(commit)
        && (e.text("syncStatus").equals("synced") || e.text("syncStatus").equals("out_of_sync"))), wait,
        "application " + applicationId + " synced at " + commit + " in the API");
    if (!entry.text("syncStatus").equals("synced")) {
      throw new IllegalStateException("application " + applicationId + " failed to deploy " + commit + ": "
          + entry.text("lastSyncError"));
    }
    return entry;
  }

  private static void composeUp(Path dir, String project) throws IOException, InterruptedException {
    cli(List.of("docker-compose", "-p", project, "up", "-d", "--remove-orphans"), dir);
  }

  /** Runs a command to its end (bounded); its output, or an exception with it when it fails. */
  private static String cli(List<String> command, Path dir) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    Process process = builder.start();
    // Read while it runs, so a full pipe never blocks it.
    java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(process.getInputStream().readAllBytes());
      } catch (IOException e) {
        return "";
      }
    });
    if (!process.waitFor(CLI_WAIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish within " + CLI_WAIT);
    }
    String text = output.join();
    if (process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
          + text.strip());
    }
    return text;
  }

  /** A network's endpoints may be released a moment after its containers are removed: tried again for up to 10 s. */
  private static void removeNetwork(String network) throws IOException, InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        cli(List.of("docker", "network", "rm", network), null);
        return;
      } catch (IllegalStateException e) {
        if (System.nanoTime() > giveUp) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static void requireDocker() throws InterruptedException {
    try {
      cli(List.of("docker", "image", "inspect", "--format", "{{.Id}}", IMAGE), null);
      cli(List.of("docker-compose", "version", "--short"), null);
    } catch (IOException | IllegalStateException e) {
      throw new IllegalArgumentException("the deploy bench needs a Docker daemon (scripts/start-docker.sh), the image "
          + IMAGE + " (scripts/test-image.sh) and docker-compose on PATH: " + e.getMessage());
    }
  }

  /** Resident memory of a JVM with no options running {@link JvmBaseline} idle, as the agent runs. */
  private static long idleJvmRss(Path work) throws IOException, InterruptedException {
    Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        StartupBench.baselineClasses(work).toString(), JvmBaseline.class.getName(), "idle")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(SETTLE.toMillis() / 2);
      return ProcStat.of(jvm.pid()).rssMegabytes();
    } finally {
      jvm.getOutputStream().close();
      if (!jvm.waitFor(10, TimeUnit.SECONDS)) {
        jvm.destroyForcibly();
      }
    }
  }

  /**
   * Removes what this run made on the Docker daemon and nothing else: the containers carrying its
   * label, then any default network of its compose projects (its stacks have none, unless a
   * compose file is changed to have one). Runs at the end and from a shutdown
   * hook, so a failed or interrupted run leaves nothing behind either.
   */
  private synchronized void removeContainers() {
    try {
      String ids = cli(List.of("docker", "ps", "-aq", "--filter", "label=" + RUN_LABEL + "=" + run), null).strip();
      if (!ids.isEmpty()) {
        List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
        rm.addAll(List.of(ids.split("\\s+")));
        cli(rm, null);
      }
      Set<String> networks = Set.of(cli(List.of("docker", "network", "ls", "--format", "{{.Name}}"), null)
          .strip().split("\\s+"));
      List<String> ours = projects.stream().map(p -> p + "_default").filter(networks::contains).toList();
      for (String network : ours) {
        removeNetwork(network);
      }
      if (!ids.isEmpty() || !ours.isEmpty()) {
        out.printf(Locale.ROOT, "removed %d containers and %d networks of run %s%n",
            ids.isEmpty() ? 0 : ids.split("\\s+").length, ours.size(), run);
      }
    } catch (Exception e) {
      out.println("could not remove the containers of run " + run + " (label " + RUN_LABEL + "=" + run + "): " + e);
    }
  }
}
