package dev.orca.bench;

import dev.orca.testsupport.FreePorts;
import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import dev.orca.gateway.GatewayApplication;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * One push to a repository with many applications (1,000 by default), of which a few changed:
 * a real GitHub push webhook (the gateway's fixture, signed) to the real api-gateway, timed from
 * its 202 to the DeployRequested of the changed applications and to the repository's SUCCESS,
 * through the real sync-stream, git server on loopback. The repository, agent and applications
 * are made through the HTTP API. Every application sees a new commit, so each gets a
 * DeployRequested (rule 5: those whose compose file did not change only record the commit); the
 * figures say how many changed. Peak heap and RSS of the JVM (broker, PostgreSQL's client side,
 * gateway, git server and sync-stream) are sampled throughout.
 */
final class PushFanOutBench {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final int applications;
  private final List<Integer> changedCounts;
  private final int pushes;
  private final int hops;

  PushFanOutBench(int applications, List<Integer> changedCounts, int pushes, int hops) {
    this.applications = applications;
    this.changedCounts = changedCounts;
    this.pushes = pushes;
    this.hops = hops;
  }

  record Row(int changed, Percentiles toChangedDeploys, Percentiles toSuccess, long deploysPerPush,
      long composeChangedPerPush) {}

  record Result(Percentiles kafkaHop, List<Row> rows, double setupSeconds, MemoryPeak.Figures before,
      MemoryPeak.Figures peak, int applications) {
    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-58s %8s %10s %10s %8s %8s%n", "metric", "samples", "p50 ms", "p99 ms", "p50/hop",
          "p99/hop");
      row(out, "baseline: one Kafka hop (produce -> consume)", kafkaHop);
      for (Row row : rows) {
        row(out, String.format(Locale.ROOT, "push, %d of %,d changed -> their DeployRequested", row.changed(),
            applications), row.toChangedDeploys());
        row(out, String.format(Locale.ROOT, "push, %d of %,d changed -> repository success", row.changed(),
            applications), row.toSuccess());
      }
      out.println();
      for (Row row : rows) {
        out.printf(Locale.ROOT, "per push with %d changed: %d DeployRequested, %d with composeChanged%n",
            row.changed(), row.deploysPerPush(), row.composeChangedPerPush());
      }
      out.printf(Locale.ROOT, "set-up (repository of %,d compose files, configuration, first sync): %.1f s%n",
          applications, setupSeconds);
      out.printf(Locale.ROOT, "memory of this JVM (broker, git server, sync-stream): before sync-stream heap %d MB, "
          + "RSS %d MB; peak heap %d MB, peak RSS %d MB%n", before.heapMegabytes(), before.rssMegabytes(),
          peak.heapMegabytes(), peak.rssMegabytes());
    }

    private void row(PrintStream out, String name, Percentiles p) {
      out.printf(Locale.ROOT, "%-58s %8d %10.1f %10.1f %8.1f %8.1f%n", name, p.count(), p.percentileMillis(50),
          p.percentileMillis(99), p.percentileMillis(50) / kafkaHop.percentileMillis(50),
          p.percentileMillis(99) / kafkaHop.percentileMillis(99));
    }
  }

  Result run() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    SharedPostgres.Database database = SharedPostgres.newDatabase();
    Topics topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 3, (short) 1);
    Path dataDir = Files.createTempDirectory("orca-bench");
    Percentiles baseline = SyncToCommandBench.topicsAndBaseline(bootstrap, topics, List.of(), hops);
    Map<String, String> env = Map.of("ORCA_KAFKA_BOOTSTRAP", bootstrap, "ORCA_DATA_DIR", dataDir.toString(),
        "ORCA_ALLOW_LOCAL_GIT", "true", "ORCA_TOPIC_PREFIX", topics.prefix());
    int port = FreePorts.next();
    String base = "http://127.0.0.1:" + port;
    Map<String, Object> properties =
        new LinkedHashMap<>(WebhookIntakeBench.gatewayProperties(bootstrap, database, port, base, topics.prefix()));
    properties.put("orca.allow-local-git", "true");
    // Spring must not re-initialise logging: slf4j-simple serves every part of this JVM.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    MemoryPeak.Figures before = MemoryPeak.now();
    try (GitServer git = GitServer.start();
         MemoryPeak memory = new MemoryPeak();
         ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
             .properties(properties).registerShutdownHook(false).logStartupInfo(false).run();
         SyncStream sync = SyncStream.start(SyncStreamSettings.fromEnvironment(env));
         KafkaConsumer<byte[], byte[]> deploys = SyncToCommandBench.consumer(bootstrap);
         KafkaConsumer<byte[], byte[]> statuses = SyncToCommandBench.consumer(bootstrap)) {
      if (!sync.awaitRunning(WAIT)) {
        throw new IllegalStateException("sync-stream did not reach RUNNING within " + WAIT);
      }
      long setupStarted = System.nanoTime();
      GitRepo repo = git.createRepository("fan-out");
      Map<String, String> files = new LinkedHashMap<>();
      for (int i = 0; i < applications; i++) {
        files.put(path(i), compose(i, 0));
      }
      repo.commitFiles(files, "every application");

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      WebhookIntakeBench.Api api = new WebhookIntakeBench.Api(http, base);
      String session = api.registerAndLogin();
      String secret = "whsec-" + WebhookIntakeBench.randomToken();
      JsonNode repository = JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/repositories",
          "{\"name\":\"fan-out\",\"url\":\"" + repo.url() + "\",\"provider\":\"github\",\"authMethod\":\"none\","
              + "\"syncType\":\"webhook\",\"webhookSecret\":\"" + secret + "\"}", session), 201).body());
      String repositoryId = repository.path("id").asString();
      String webhookUrl = repository.path("webhookUrl").asString();
      String agentId = JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/agents",
          "{\"name\":\"fan-out-host\"}", session), 201).body()).path("id").asString();
      Load.Result created = Load.run(applications, 8, i -> {
        WebhookIntakeBench.Api.expect(api.post("/api/v1/applications", "{\"name\":\"" + application(i)
            + "\",\"repositoryId\":\"" + repositoryId + "\",\"agentId\":\"" + agentId + "\",\"branch\":\"main\","
            + "\"path\":\"" + path(i) + "\"}", session), 201);
        return "created";
      });
      if (created.count("created"::equals) != applications) {
        throw new IllegalStateException("creating the applications failed: " + created.counts());
      }
      deploys.subscribe(List.of(topics.deployRequests().name()));
      statuses.subscribe(List.of(topics.status().name()));
      // Each new application is deployed by a sync of its own; a sync of everything queues behind them.
      String first = JSON.readTree(WebhookIntakeBench.Api.expect(api.post("/api/v1/repositories/" + repositoryId
          + "/sync", "{}", session), 202).body()).path("syncId").asString();
      await(first, Set.of(), deploys, statuses, topics, System.nanoTime(), Duration.ofMinutes(5));
      double setupSeconds = (System.nanoTime() - setupStarted) / 1e9;

      List<Row> rows = new ArrayList<>();
      int version = 0;
      for (int changed : changedCounts) {
        long[] toDeploys = new long[pushes];
        long[] toSuccess = new long[pushes];
        long deployCount = 0;
        long composeChanged = 0;
        List<String> syncIds = new ArrayList<>();
        for (int p = 0; p < pushes; p++) {
          version++;
          Map<String, String> change = new LinkedHashMap<>();
          Set<String> changedApps = new HashSet<>();
          for (int c = 0; c < changed; c++) {
            int i = (version * 37 + c * 101) % applications;
            change.put(path(i), compose(i, version));
            changedApps.add(application(i));
          }
          String sha = repo.commitFiles(change, "push " + version);
          HttpResponse<String> accepted = http.send(WebhookIntakeBench.githubPush(webhookUrl, secret, sha, WAIT),
              HttpResponse.BodyHandlers.ofString());
          long acceptedAt = System.nanoTime();
          if (accepted.statusCode() != 202) {
            throw new IllegalStateException("the push webhook answered " + accepted.statusCode() + ": "
                + accepted.body());
          }
          String syncId = JSON.readTree(accepted.body()).path("syncId").asString();
          Outcome outcome = await(syncId, changedApps, deploys, statuses, topics, acceptedAt, WAIT);
          toDeploys[p] = outcome.toChangedDeploys();
          toSuccess[p] = outcome.toSuccess();
          syncIds.add(syncId);
        }
        // A push's last DeployRequested may be read during the next push: count them all at the end.
        drainDeploys(deploys, topics.deployRequests(), Duration.ofSeconds(2));
        for (String syncId : syncIds) {
          deployCount += deploysBySync.getOrDefault(syncId, new long[2])[0];
          composeChanged += deploysBySync.getOrDefault(syncId, new long[2])[1];
        }
        rows.add(new Row(changed, Percentiles.of(toDeploys), Percentiles.of(toSuccess), deployCount / pushes,
            composeChanged / pushes));
      }
      return new Result(baseline, rows, setupSeconds, before, memory.peak(), applications);
    } finally {
      SyncToCommandBench.deleteRecursively(dataDir);
    }
  }

  private record Outcome(String syncId, long toChangedDeploys, long toSuccess) {}

  /** Per sync id: DeployRequested read, and how many of them with composeChanged. */
  private final Map<String, long[]> deploysBySync = new HashMap<>();

  private void count(DeployRequested deploy) {
    long[] counts = deploysBySync.computeIfAbsent(deploy.getSyncId(), id -> new long[2]);
    counts[0]++;
    if (deploy.getComposeChanged()) {
      counts[1]++;
    }
  }

  private void drainDeploys(KafkaConsumer<byte[], byte[]> deploys, Topic<String, SpecificRecord> topic,
      Duration quiet) {
    long end = System.nanoTime() + quiet.toNanos();
    while (System.nanoTime() < end) {
      for (ConsumerRecord<byte[], byte[]> r : deploys.poll(Duration.ofMillis(50))) {
        if (topic.value(r.value()) instanceof DeployRequested deploy) {
          count(deploy);
        }
      }
    }
  }

  /**
   * Waits for a sync's outcome: the DeployRequested of every application named (by name; the
   * gateway gave them ids) and the repository's SUCCESS. Times are from {@code acceptedAt}.
   */
  private Outcome await(String syncId, Set<String> changedNames, KafkaConsumer<byte[], byte[]> deploys,
      KafkaConsumer<byte[], byte[]> statuses, Topics topics, long acceptedAt, Duration wait) {
    Set<String> waiting = new HashSet<>(changedNames);
    long toDeploys = changedNames.isEmpty() ? 0 : -1;
    long toSuccess = -1;
    long deadline = acceptedAt + wait.toNanos();
    Topic<String, SpecificRecord> deployTopic = topics.deployRequests();
    Topic<String, SpecificRecord> statusTopic = topics.status();
    while (toDeploys < 0 || toSuccess < 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("sync " + syncId + " not finished within " + wait);
      }
      for (ConsumerRecord<byte[], byte[]> r : deploys.poll(Duration.ofMillis(5))) {
        if (deployTopic.value(r.value()) instanceof DeployRequested deploy) {
          count(deploy);
          if (syncId.equals(deploy.getSyncId()) && waiting.remove(composeName(deploy.getCompose()))
              && waiting.isEmpty()) {
            toDeploys = System.nanoTime() - acceptedAt;
          }
        }
      }
      for (ConsumerRecord<byte[], byte[]> r : statuses.poll(Duration.ofMillis(5))) {
        if (statusTopic.value(r.value()) instanceof RepositoryStatusChanged status && syncId.equals(status.getSyncId())
            && status.getStatus() != RepositorySyncStatus.SYNCING) {
          if (status.getStatus() != RepositorySyncStatus.SUCCESS) {
            throw new IllegalStateException("sync " + syncId + " ended " + status.getStatus() + ": "
                + status.getLastSyncError());
          }
          toSuccess = System.nanoTime() - acceptedAt;
        }
      }
    }
    return new Outcome(syncId, toDeploys, toSuccess);
  }

  /** The application a compose file of this bench belongs to, from the APP it carries. */
  private static String composeName(String compose) {
    int at = compose.indexOf("APP: \"");
    return at < 0 ? "" : application(Integer.parseInt(compose.substring(at + 6, compose.indexOf('"', at + 6))));
  }

  private static String application(int i) {
    return String.format("app-%04d", i);
  }

  private static String path(int i) {
    return String.format("apps/%04d/compose.yaml", i);
  }

  private static String compose(int i, int version) {
    return "services:\n  web:\n    image: orca-test/busybox:1\n    environment:\n      APP: \"" + i + "\"\n"
        + "      VERSION: \"" + version + "\"\n";
  }
}
