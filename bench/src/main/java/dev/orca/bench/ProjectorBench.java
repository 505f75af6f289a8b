package dev.orca.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The gateway's projector under a burst of status: applications made through the HTTP API of the
 * real gateway, then deployments of each of them as the deploy-dispatcher reports them on
 * {@code status} (DeploymentChanged and ApplicationStatusChanged at the start and at the success,
 * four records a deployment), timed from the first record produced to the last application's row
 * showing its last commit, synced. Baseline in the same run, on the same database: as many
 * single-row upserts, one statement and one commit each, on one JDBC connection ({@link UpsertLoop}).
 */
final class ProjectorBench {

  /** Records the dispatcher writes on {@code status} per deployment that succeeds. */
  static final int RECORDS_PER_DEPLOYMENT = 4;
  private static final Duration POLL = Duration.ofMillis(10);

  /** {@code durable}: the database as {@code ./orca up} runs it, fsync on ({@link BenchDatabase}). */
  record Options(int events, int applications, boolean durable) {

    /** Whole deployments of every application: the events asked for, rounded down, at least one each. */
    int deploymentsPerApplication() {
      return Math.max(1, events / (RECORDS_PER_DEPLOYMENT * applications));
    }

    int measuredEvents() {
      return deploymentsPerApplication() * RECORDS_PER_DEPLOYMENT * applications;
    }
  }

  private final Options options;
  private final PrintStream out;

  ProjectorBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    try (BenchGateway gateway = BenchGateway.start(out, options.durable())) {
      TokenApi api = TokenApi.admin(TokenApi.client(), gateway.base());
      String repository = api.createRepository("bench");
      String agent = api.createAgent("bench-host");
      long creating = System.nanoTime();
      List<String> ids = api.createApplications(options.applications(), 8,
          i -> String.format(Locale.ROOT, "app-%05d", i), repository, agent);
      out.printf(Locale.ROOT, "%,d applications created through POST /api/v1/applications in %.1f s%n",
          options.applications(), BenchGateway.seconds(creating));

      Burst burst = new Burst(new StatusRecords(gateway.topics().status()), ids, agent);
      var database = gateway.database();
      try (KafkaProducer<byte[], byte[]> producer = producer(gateway.bootstrap());
           Connection jdbc = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
           PostgresProbe postgres = PostgresProbe.connect(database)) {
        String settings = settings(jdbc);
        UpsertLoop baseline = UpsertLoop.create(jdbc, ids, burst.encryptedComposeLength(gateway));
        int warmupEvents = RECORDS_PER_DEPLOYMENT * ids.size();
        out.printf(Locale.ROOT, "warm-up: one deployment of each application (%,d events) through the projector, "
            + "%,d upserts...%n", warmupEvents, warmupEvents);
        Burst.Outcome warmup = burst.project(producer, jdbc, 0, 1);
        baseline.run(warmupEvents);

        WebhookIntakeBench.Meter meter = new WebhookIntakeBench.Meter(postgres);
        int events = options.measuredEvents();
        out.printf(Locale.ROOT, "measuring: %,d upserts, then %,d events through the projector...%n", events, events);
        long rawBegun = System.nanoTime();
        baseline.run(events);
        long rawNanos = System.nanoTime() - rawBegun;
        baseline.settle();
        WebhookIntakeBench.Cost rawCost = meter.measure().per(events);
        TableStats before = TableStats.read(jdbc);
        ThreadCpu threadsBefore = ThreadCpu.now();
        Burst.Outcome projected = burst.project(producer, jdbc, 1, options.deploymentsPerApplication());
        Map<String, Double> threads = ThreadCpu.now().since(threadsBefore);
        WebhookIntakeBench.Cost projectorCost = meter.measure().per(events);
        TableStats tables = TableStats.read(jdbc).minus(before);
        long deployments = count(jdbc, "SELECT count(*) FROM deployments WHERE state = 'succeeded'");
        return new Report(options, settings, events, rawNanos, rawCost, projected, projectorCost, tables, threads,
            warmup, deployments, (long) (1 + options.deploymentsPerApplication()) * ids.size());
      }
    }
  }

  /**
   * Deployments of every application, as a burst on {@code status}, and the wait for their rows.
   * Round {@code r}'s last deployment of each application is at commit {@code r<r>-last}, so an
   * application showing it, synced, has had every record of the round applied (one application's
   * records share a partition, which the projector applies in order).
   */
  private static final class Burst {
    private final StatusRecords records;
    private final List<String> ids;
    private final String agent;

    Burst(StatusRecords records, List<String> ids, String agent) {
      this.records = records;
      this.ids = ids;
      this.agent = agent;
    }

    record Outcome(long producedNanos, long visibleNanos, int events) {}

    Outcome project(KafkaProducer<byte[], byte[]> producer, Connection jdbc, int round, int perApplication)
        throws Exception {
      String last = "r" + round + "-last";
      List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
      for (int k = 0; k < perApplication; k++) {
        for (int a = 0; a < ids.size(); a++) {
          String commit = k == perApplication - 1 ? last : "r" + round + "-" + k;
          StatusRecords.Deployment d = new StatusRecords.Deployment(ids.get(a), agent, UUID.randomUUID().toString(),
              round * 1000L + k + 1, commit, compose(a, round, k));
          Instant now = Instant.now();
          batch.addAll(records.started(d, now));
          batch.addAll(records.succeeded(d, now, now));
        }
      }
      long begun = System.nanoTime();
      for (ProducerRecord<byte[], byte[]> record : batch) {
        producer.send(record);
      }
      producer.flush();
      long produced = System.nanoTime() - begun;
      Duration deadline = Duration.ofSeconds(Math.max(120, batch.size() / 50));
      try (PreparedStatement done = jdbc.prepareStatement(
          "SELECT count(*) FROM applications WHERE commit_sha = ? AND sync_status = 'synced'")) {
        done.setString(1, last);
        while (true) {
          try (ResultSet rs = done.executeQuery()) {
            rs.next();
            if (rs.getLong(1) == ids.size()) {
              return new Outcome(produced, System.nanoTime() - begun, batch.size());
            }
          }
          if (System.nanoTime() - begun > deadline.toNanos()) {
            throw new IllegalStateException("the projector did not show round " + round + " within " + deadline);
          }
          Thread.sleep(POLL.toMillis());
        }
      }
    }

    /** What the projector stores for a compose file of this bench: its encryption, as long as the gateway's. */
    int encryptedComposeLength(BenchGateway gateway) {
      return gateway.bean(dev.orca.schemas.crypto.SecretBox.class).encrypt(compose(0, 0, 0)).length();
    }

    private static String compose(int application, int round, int k) {
      return "services:\n  web:\n    image: registry.example.com/acme/web:1." + k + "\n    environment:\n"
          + "      APP: \"" + application + "\"\n      ROUND: \"" + round + "-" + k + "\"\n"
          + "    ports: [\"8080\"]\n    restart: unless-stopped\n";
    }
  }

  /** As the dispatcher's Streams producer, without its transactions: acknowledged by the broker, batched. */
  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The server's durability settings, which decide what a commit costs. */
  private static String settings(Connection jdbc) throws SQLException {
    StringBuilder text = new StringBuilder();
    try (Statement s = jdbc.createStatement()) {
      for (String name : List.of("server_version", "fsync", "synchronous_commit", "wal_sync_method")) {
        try (ResultSet rs = s.executeQuery("SHOW " + name)) {
          rs.next();
          text.append(text.isEmpty() ? "" : ", ").append(name).append(' ').append(rs.getString(1));
        }
      }
    }
    return text.toString();
  }

  private static long count(Connection jdbc, String sql) throws SQLException {
    try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  record Report(Options options, String settings, int events, long rawNanos, WebhookIntakeBench.Cost rawCost,
      Burst.Outcome projected, WebhookIntakeBench.Cost projectorCost, TableStats tables, Map<String, Double> threads,
      Burst.Outcome warmup, long deployments, long expectedDeployments) {

    double rawPerSecond() {
      return events / (rawNanos / 1e9);
    }

    double projectorPerSecond() {
      return events / (projected.visibleNanos() / 1e9);
    }

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-58s %8s %8s %9s %8s %8s %8s%n", "", "events", "seconds", "events/s", "JVM CPU",
          "PG CPU", "PG xact");
      row(out, "baseline: single-row upsert loop (JDBC, autocommit)", events, rawNanos, rawPerSecond(), rawCost);
      row(out, "projector: first record produced -> last row visible", events, projected.visibleNanos(),
          projectorPerSecond(), projectorCost);
      out.printf(Locale.ROOT, "%-58s %8s %8s %9.2f %8.2f %8.2f %8.3f%n", "ratio (projector / raw)", "", "",
          projectorPerSecond() / rawPerSecond(), projectorCost.jvmCpuMillis() / rawCost.jvmCpuMillis(),
          projectorCost.postgresCpuMillis() / rawCost.postgresCpuMillis(),
          projectorCost.transactions() / rawCost.transactions());
      out.println();
      out.printf(Locale.ROOT, "goal: projector / raw >= 0.5: %s (%.2f)%n",
          projectorPerSecond() / rawPerSecond() >= 0.5 ? "met" : "NOT met", projectorPerSecond() / rawPerSecond());
      out.printf(Locale.ROOT, "events: %d deployments of each of %,d applications, %d records each on status "
              + "(DeploymentChanged and ApplicationStatusChanged at start and at success); producing them took "
              + "%.2f s of the %.2f s%n", options.deploymentsPerApplication(), options.applications(),
          RECORDS_PER_DEPLOYMENT, projected.producedNanos() / 1e9, projected.visibleNanos() / 1e9);
      out.printf(Locale.ROOT, "warm-up before (not counted): %,d events through the projector in %.2f s (%.0f/s)%n",
          warmup.events(), warmup.visibleNanos() / 1e9, warmup.events() / (warmup.visibleNanos() / 1e9));
      out.printf(Locale.ROOT, "deployments rows succeeded: %,d of %,d expected%n", deployments, expectedDeployments);
      out.printf(Locale.ROOT, "PostgreSQL: %s (%s)%n", settings, options.durable() ? "as ./orca up runs it"
          : "the tests' shared server");
      out.printf(Locale.ROOT, "what the projector's part did to each table, per event (pg_stat_user_tables; "
          + "index scans include the bench's own polls):%n");
      tables.tables().forEach((name, t) -> out.printf(Locale.ROOT,
          "  %-28s inserted %.3f, updated %.3f (HOT %.3f), deleted %.3f, index scans %.3f, sequential scans %.3f%n",
          name, (double) t.inserted() / events, (double) t.updated() / events, (double) t.hotUpdated() / events,
          (double) t.deleted() / events, (double) t.indexScans() / events, (double) t.sequentialScans() / events));
      out.printf(Locale.ROOT, "this JVM's busiest threads while projecting (CPU seconds, share of the %.2f s):%n",
          projected.visibleNanos() / 1e9);
      threads.entrySet().stream().limit(6).forEach(t -> out.printf(Locale.ROOT, "  %-40s %6.2f s %5.0f%%%n", t.getKey(),
          t.getValue(), 100 * t.getValue() / (projected.visibleNanos() / 1e9)));
      out.printf(Locale.ROOT, "(per event: JVM CPU ms of this process (the upsert loop's JDBC client; or the "
          + "producer, broker, projector and gateway), PG CPU ms of PostgreSQL's processes, PG xact: PostgreSQL "
          + "transactions, the gateway's background work and the pool's validation included)%n");
    }

    private static void row(PrintStream out, String name, int events, long nanos, double perSecond,
        WebhookIntakeBench.Cost cost) {
      out.printf(Locale.ROOT, "%-58s %,8d %8.2f %9.0f %8.3f %8.3f %8.3f%n", name, events, nanos / 1e9, perSecond,
          cost.jvmCpuMillis(), cost.postgresCpuMillis(), cost.transactions());
    }
  }
}
