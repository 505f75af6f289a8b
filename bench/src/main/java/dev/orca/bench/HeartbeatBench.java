package dev.orca.bench;

import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.Heartbeat;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many agents' heartbeats on the real gateway: {@code agents} agents registered through {@code POST
 * /api/v1/agents} (each with its topics and Kafka credential), then a Heartbeat from each every
 * {@code interval} on its own events topic, keyed by its id, as the agent's HeartbeatPublisher
 * writes it, the agents' phases spread over the interval. Measures what the projector writes to
 * the {@code agents} table per heartbeat received (PostgreSQL's own row counts), and reads every
 * agent's status and {@code lastSeen} through {@code GET /api/v1/agents} throughout. Baseline in the
 * same run: the same gateway and agents for as long before any heartbeat (its background work).
 */
final class HeartbeatBench {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Intervals of heartbeats before the measured window: every agent's first one is a change (offline to online). */
  private static final int WARMUP_INTERVALS = 2;

  record Options(int agents, int intervalSeconds, int intervals) {}

  /** What {@code GET /api/v1/agents} said at one moment. */
  record Look(int online, int agents, double maxLagSeconds, double medianLagSeconds) {}

  /** One window: heartbeats sent, seconds, and what PostgreSQL counted meanwhile. */
  record Window(long heartbeats, double seconds, TableStats stats) {

    double perSecond(long count) {
      return count / seconds;
    }
  }

  private final Options options;
  private final PrintStream out;

  HeartbeatBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    try (BenchGateway gateway = BenchGateway.start(out, true)) {
      TokenApi api = TokenApi.admin(TokenApi.client(), gateway.base());
      long registering = System.nanoTime();
      String[] ids = new String[options.agents()];
      Load.Result registered = Load.run(options.agents(), 8, i -> {
        ids[i] = api.createAgent(String.format(Locale.ROOT, "host-%05d", i));
        return "created";
      });
      if (registered.count("created"::equals) != options.agents()) {
        throw new IllegalStateException("registering the agents failed: " + registered.counts());
      }
      out.printf(Locale.ROOT, "%,d agents registered through POST /api/v1/agents in %.1f s (%,d topics); this JVM: "
          + "%s%n", options.agents(), BenchGateway.seconds(registering), 2 * options.agents(), SseClients.openFiles());
      Duration interval = Duration.ofSeconds(options.intervalSeconds());
      var database = gateway.database();
      try (KafkaProducer<byte[], byte[]> producer = producer(gateway.bootstrap());
           Connection jdbc = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
        out.printf(Locale.ROOT, "baseline: %d s without heartbeats...%n",
            options.intervalSeconds() * options.intervals());
        Window idle = window(jdbc, () -> 0L, interval.multipliedBy(options.intervals()), api, null);
        Senders senders = new Senders(producer, gateway.topics(), List.of(ids), interval);
        try {
          senders.start();
          out.printf(Locale.ROOT, "heartbeats: %,d agents, one each every %d s (%.1f/s); warm-up of %d intervals...%n",
              options.agents(), options.intervalSeconds(), options.agents() / (double) options.intervalSeconds(),
              WARMUP_INTERVALS);
          List<Look> looks = new ArrayList<>();
          Window warmup = window(jdbc, senders::sent, interval.multipliedBy(WARMUP_INTERVALS), api, null);
          out.printf(Locale.ROOT, "measuring %d intervals...%n", options.intervals());
          Window measured = window(jdbc, senders::sent, interval.multipliedBy(options.intervals()), api, looks);
          return new Report(options, idle, warmup, measured, looks);
        } finally {
          senders.close();
        }
      }
    }
  }

  /**
   * Counts over {@code length}: PostgreSQL's counts and the heartbeats sent from start to end.
   * When {@code looks} is given, the agents' statuses are read through the API every half interval.
   */
  private Window window(Connection jdbc, java.util.function.LongSupplier sent, Duration length, TokenApi api,
      List<Look> looks) throws Exception {
    TableStats before = TableStats.read(jdbc);
    long sentBefore = sent.getAsLong();
    long begun = System.nanoTime();
    long end = begun + length.toNanos();
    long step = Duration.ofSeconds(options.intervalSeconds()).toNanos() / 2;
    for (long next = begun + step; System.nanoTime() < end; next += step) {
      long wait = Math.min(next, end) - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      if (looks != null && next <= end) {
        looks.add(look(api));
      }
    }
    long sentAfter = sent.getAsLong();
    double seconds = (System.nanoTime() - begun) / 1e9;
    return new Window(sentAfter - sentBefore, seconds, TableStats.read(jdbc).minus(before));
  }

  /** Every agent's status and how long ago it was last seen, as the dashboard reads them. */
  private static Look look(TokenApi api) throws Exception {
    HttpResponse<String> response = WebhookIntakeBench.Api.expect(api.get("/api/v1/agents"), 200);
    Instant now = Instant.now();
    JsonNode agents = JSON.readTree(response.body());
    int online = 0;
    List<Double> lags = new ArrayList<>();
    for (JsonNode agent : agents) {
      if ("online".equals(agent.path("status").asString())) {
        online++;
      }
      String lastSeen = agent.path("lastSeen").asString("");
      lags.add(lastSeen.isEmpty() ? Double.POSITIVE_INFINITY
          : Duration.between(Instant.parse(lastSeen), now).toNanos() / 1e9);
    }
    lags.sort(null);
    return new Look(online, agents.size(), lags.isEmpty() ? Double.NaN : lags.get(lags.size() - 1),
        lags.isEmpty() ? Double.NaN : lags.get(lags.size() / 2));
  }

  /**
   * The agents' heartbeat schedules: agent {@code i} first writes at {@code i/agents} of an interval,
   * then every interval, as agents started at different moments do.
   */
  private static final class Senders implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Topics topics;
    private final List<String> ids;
    private final Duration interval;
    private final AtomicLong sent = new AtomicLong();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "bench-heartbeats");
      thread.setDaemon(true);
      return thread;
    });

    Senders(KafkaProducer<byte[], byte[]> producer, Topics topics, List<String> ids, Duration interval) {
      this.producer = producer;
      this.topics = topics;
      this.ids = ids;
      this.interval = interval;
    }

    void start() {
      long period = interval.toNanos();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        scheduler.scheduleAtFixedRate(() -> send(id), period * i / ids.size(), period, TimeUnit.NANOSECONDS);
      }
    }

    private void send(String agentId) {
      Heartbeat heartbeat = Heartbeat.newBuilder()
          .setAgentId(agentId)
          .setDockerAvailable(true)
          .setDockerVersion("27.3.1")
          .setComposeCommand("docker compose")
          .setComposeVersion("2.29.7")
          .setMessage(null)
          .setAgentVersion("0.1.0")
          .setIntervalSeconds((int) interval.toSeconds())
          .setAt(Instant.now())
          .build();
      producer.send(topics.agentEvents(agentId).record(agentId, heartbeat));
      sent.incrementAndGet();
    }

    long sent() {
      return sent.get();
    }

    @Override
    public void close() throws InterruptedException {
      scheduler.shutdownNow();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** As the agent's producer: each heartbeat sent on its own, acknowledged by the broker. */
  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  record Report(Options options, Window idle, Window warmup, Window measured, List<Look> looks) {

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-44s %9s %12s %12s %11s %10s %9s%n", "per second", "seconds", "heartbeats",
          "agents rows", "agents", "events", "PG xact");
      out.printf(Locale.ROOT, "%-44s %9s %12s %12s %11s %10s %9s%n", "", "", "sent", "updated", "read", "rows",
          "");
      row(out, "baseline: the same gateway, no heartbeats", idle);
      row(out, "warm-up: first heartbeats (offline -> online)", warmup);
      row(out, "heartbeats, steady", measured);
      TableStats.Table agents = measured.stats().table("agents");
      out.println();
      out.printf(Locale.ROOT, "writes per heartbeat (agents rows updated / heartbeats sent, steady): %.3f (%,d of %,d; "
              + "one write each would be 1.000)%n", (double) agents.updated() / measured.heartbeats(),
          agents.updated(), measured.heartbeats());
      out.printf(Locale.ROOT, "reads per heartbeat (index scans of agents): %.3f; PostgreSQL transactions per "
              + "heartbeat, the background's subtracted: %.3f%n", (double) agents.indexScans() / measured.heartbeats(),
          (measured.perSecond(measured.stats().transactions()) - idle.perSecond(idle.stats().transactions()))
              / measured.perSecond(measured.heartbeats()));
      int minOnline = looks.stream().mapToInt(Look::online).min().orElse(0);
      double maxLag = looks.stream().mapToDouble(Look::maxLagSeconds).max().orElse(Double.NaN);
      double medianLag = looks.stream().mapToDouble(Look::medianLagSeconds).max().orElse(Double.NaN);
      out.printf(Locale.ROOT, "GET /api/v1/agents, %d reads every %d s while measuring: online at least %,d of %,d; "
              + "lastSeen at most %.1f s old (median of a read at most %.1f s; an agent counts as offline after "
              + "%d s)%n",
          looks.size(), options.intervalSeconds() / 2, minOnline, options.agents(), maxLag, medianLag,
          3 * options.intervalSeconds());
      out.printf(Locale.ROOT, "%s%n", minOnline == options.agents() && maxLag < 3 * options.intervalSeconds()
          ? "every agent stayed online" : "NOT every agent stayed online");
      out.printf(Locale.ROOT, "(rows and scans from pg_stat_user_tables, transactions from pg_stat_database; the "
          + "gateway's background work (feed polls, liveness sweeps, pool validation) is in every row)%n");
    }

    private static void row(PrintStream out, String name, Window w) {
      TableStats.Table agents = w.stats().table("agents");
      out.printf(Locale.ROOT, "%-44s %9.1f %12.1f %12.1f %11.1f %10.2f %9.1f%n", name, w.seconds(),
          w.perSecond(w.heartbeats()), w.perSecond(agents.updated()), w.perSecond(agents.indexScans()),
          w.perSecond(w.stats().table("events").inserted()), w.perSecond(w.stats().transactions()));
    }
  }
}
