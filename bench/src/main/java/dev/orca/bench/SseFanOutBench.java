package dev.orca.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The live feed's fan-out: {@code clients} streams of {@code GET /api/v1/events} (in a JVM of their
 * own, {@link SseClients}) on the real gateway, then {@code changes} changes the projector commits,
 * one every {@code interval}: each a new commit of its own application, as the dispatcher reports
 * it on {@code status}. For each change and client, the time from the record produced to the event
 * at the client, and from the row's {@code updated_at} (PostgreSQL's {@code now()} in the
 * projector's transaction, so its start, a little before its commit) to the event. Baseline in the
 * same run: the same with one client. The gateway's heap and resident memory are read with no
 * client, one, and all of them connected.
 */
final class SseFanOutBench {

  record Options(int clients, int changes, int intervalMillis) {}

  /** Heap in use after a full collection, and resident memory, of this JVM (the gateway's, and the broker's). */
  record Memory(long heapMegabytes, long rssMegabytes) {}

  /** What one way of running the changes measured. */
  record Phase(int clients, int following, double connectSeconds, Memory connected, MemoryPeak.Figures peak,
      Percentiles fromProduced, Percentiles fromWritten, int received, int errors, double clientCpuSeconds,
      double gatewayCpuMillisPerChange, double transactionsPerChange, double applicationReadsPerChange,
      String gatewayFiles) {}

  private final Options options;
  private final PrintStream out;

  SseFanOutBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    try (BenchGateway gateway = BenchGateway.start(out, true)) {
      TokenApi api = TokenApi.admin(TokenApi.client(), gateway.base());
      String repository = api.createRepository("bench");
      String agent = api.createAgent("bench-host");
      List<String> ids = api.createApplications(options.changes(), 8,
          i -> String.format(Locale.ROOT, "sse-%04d", i), repository, agent);
      out.printf(Locale.ROOT, "%d applications created through POST /api/v1/applications (one per change)%n",
          ids.size());
      StatusRecords records = new StatusRecords(gateway.topics().status());
      var database = gateway.database();
      try (KafkaProducer<byte[], byte[]> producer = producer(gateway.bootstrap());
           Connection jdbc = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
        Memory none = settled();
        out.printf(Locale.ROOT, "no client: heap %d MB after a full GC, RSS %d MB; %s%n", none.heapMegabytes(),
            none.rssMegabytes(), SseClients.openFiles());
        Phase one = phase("one", 1, gateway, api, ids, records, producer, jdbc);
        Phase many = phase("many", options.clients(), gateway, api, ids, records, producer, jdbc);
        return new Report(options, none, one, many);
      }
    }
  }

  private Phase phase(String prefix, int clients, BenchGateway gateway, TokenApi api, List<String> ids,
      StatusRecords records, KafkaProducer<byte[], byte[]> producer, Connection jdbc) throws Exception {
    int changes = options.changes();
    Duration deadline = Duration.ofMillis((long) changes * options.intervalMillis()).plusMinutes(3);
    out.printf(Locale.ROOT, "%s: connecting %d client(s)...%n", prefix, clients);
    long connecting = System.nanoTime();
    try (SseClients child = SseClients.start(gateway.base(), api.token(), clients, prefix, changes, deadline)) {
      int following = child.awaitConnected(Duration.ofMinutes(3));
      double connectSeconds = BenchGateway.seconds(connecting);
      Memory connected = settled();
      String files = SseClients.openFiles();
      out.printf(Locale.ROOT, "%s: %d of %d streams follow the feed after %.1f s; heap %d MB after a full GC, RSS %d "
              + "MB; this JVM: %s; %d changes, one every %d ms...%n", prefix, following, clients, connectSeconds,
          connected.heapMegabytes(), connected.rssMegabytes(), files, changes, options.intervalMillis());
      TableStats before = TableStats.read(jdbc);
      double cpuBefore = ProcStat.of(ProcessHandle.current().pid()).cpuSeconds();
      long[] produced = new long[changes];
      SseClients.Results results;
      MemoryPeak.Figures peak;
      try (MemoryPeak memory = new MemoryPeak()) {
        long begun = System.nanoTime();
        for (int k = 0; k < changes; k++) {
          long due = begun + k * options.intervalMillis() * 1_000_000L;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          Instant now = Instant.now();
          produced[k] = SseClients.epochMicros(now);
          producer.send(records.commitSynced(ids.get(k), commit(prefix, k), now));
        }
        producer.flush();
        results = child.awaitResults(deadline);
        peak = memory.peak();
      }
      double cpu = ProcStat.of(ProcessHandle.current().pid()).cpuSeconds() - cpuBefore;
      // PostgreSQL 14 counts a backend's work once it ends a transaction half a second after the last report.
      Thread.sleep(1500);
      TableStats delta = TableStats.read(jdbc).minus(before);
      long[] fromProduced = new long[results.arrivals().size()];
      long[] fromWritten = new long[results.arrivals().size()];
      for (int i = 0; i < fromProduced.length; i++) {
        SseClients.Arrival a = results.arrivals().get(i);
        fromProduced[i] = (a.arrivalMicros() - produced[a.index()]) * 1000;
        fromWritten[i] = (a.arrivalMicros() - a.updatedAtMicros()) * 1000;
      }
      return new Phase(clients, following, connectSeconds, connected, peak, Percentiles.of(fromProduced),
          Percentiles.of(fromWritten), results.arrivals().size(), results.errors(), results.cpuSeconds(),
          cpu * 1000 / changes, (double) delta.transactions() / changes,
          (double) delta.table("applications").indexScans() / changes, files);
    }
  }

  static String commit(String prefix, int k) {
    return String.format(Locale.ROOT, "%s-%04d", prefix, k);
  }

  /** This JVM after a full collection: what the connected streams hold, not what they left to collect. */
  private static Memory settled() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    MemoryPeak.Figures now = MemoryPeak.now();
    return new Memory(now.heapMegabytes(), now.rssMegabytes());
  }

  /** Each change on its own, right away, as the dispatcher's transactions commit a change at a time. */
  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  record Report(Options options, Memory none, Phase one, Phase many) {

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-26s %8s %17s %24s %24s%n", "", "streams", "events received",
          "produced -> client, ms", "row written -> client, ms");
      out.printf(Locale.ROOT, "%-26s %8s %17s %8s %7s %7s %8s %7s %7s%n", "", "", "", "p50", "p99", "max", "p50",
          "p99", "max");
      row(out, "baseline: 1 client", one);
      row(out, String.format(Locale.ROOT, "%,d clients", many.clients()), many);
      out.printf(Locale.ROOT, "%-26s %8s %17s %8.1f %7.1f %7s %8.1f %7.1f%n", "ratio", "", "",
          many.fromProduced().percentileMillis(50) / one.fromProduced().percentileMillis(50),
          many.fromProduced().percentileMillis(99) / one.fromProduced().percentileMillis(99), "",
          many.fromWritten().percentileMillis(50) / one.fromWritten().percentileMillis(50),
          many.fromWritten().percentileMillis(99) / one.fromWritten().percentileMillis(99));
      out.println();
      out.printf(Locale.ROOT, "memory of this JVM (gateway, broker; the clients run in a JVM of their own), heap in "
          + "use after a full GC / resident:%n");
      out.printf(Locale.ROOT, "  no client                     %5d / %5d MB%n", none.heapMegabytes(),
          none.rssMegabytes());
      memory(out, one);
      memory(out, many);
      out.printf(Locale.ROOT, "  so each stream holds about %.0f KB of heap and %.0f KB resident, connected and idle%n",
          (many.connected().heapMegabytes() - none.heapMegabytes()) * 1024.0 / many.clients(),
          (many.connected().rssMegabytes() - none.rssMegabytes()) * 1024.0 / many.clients());
      out.printf(Locale.ROOT, "  open files of this JVM with %,d clients connected: %s%n", many.clients(),
          many.gatewayFiles());
      out.println();
      out.printf(Locale.ROOT, "%-26s %14s %14s %18s %14s %14s%n", "per change", "gateway CPU ms", "PG xact",
          "applications read", "clients' CPU s", "connect s");
      cost(out, "baseline: 1 client", one);
      cost(out, String.format(Locale.ROOT, "%,d clients", many.clients()), many);
      out.printf(Locale.ROOT, "(one change every %d ms, each a new commit of its own application; \"produced\": "
          + "the ApplicationStatusChanged handed to the producer; \"row written\": the application's updatedAt in "
          + "the event, PostgreSQL's now() in the projector's transaction, which is its start, so up to one batch "
          + "before its commit; gateway CPU: this JVM's, broker and producer included; applications read: index "
          + "scans of the applications table, the projector's two and one per rendering of the change; clients' CPU "
          + "and connect: for the whole phase)%n", options.intervalMillis());
    }

    private void row(PrintStream out, String name, Phase p) {
      out.printf(Locale.ROOT, "%-26s %8d %17s %8.1f %7.1f %7.1f %8.1f %7.1f %7.1f%n", name, p.following(),
          String.format(Locale.ROOT, "%,d / %,d", p.received(), (long) p.clients() * options.changes()),
          p.fromProduced().percentileMillis(50),
          p.fromProduced().percentileMillis(99), p.fromProduced().percentileMillis(100),
          p.fromWritten().percentileMillis(50), p.fromWritten().percentileMillis(99),
          p.fromWritten().percentileMillis(100));
    }

    private static void memory(PrintStream out, Phase p) {
      out.printf(Locale.ROOT, "  %-5d client(s) connected, idle %5d / %5d MB; peak while receiving %5d / %5d MB%n",
          p.clients(), p.connected().heapMegabytes(), p.connected().rssMegabytes(), p.peak().heapMegabytes(),
          p.peak().rssMegabytes());
    }

    private static void cost(PrintStream out, String name, Phase p) {
      out.printf(Locale.ROOT, "%-26s %14.1f %14.1f %18.1f %14.1f %14.1f%n", name, p.gatewayCpuMillisPerChange(),
          p.transactionsPerChange(), p.applicationReadsPerChange(), p.clientCpuSeconds(), p.connectSeconds());
    }
  }
}
