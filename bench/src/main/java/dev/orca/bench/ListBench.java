package dev.orca.bench;

import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.SyncStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's applications list at fleet scale: {@code applications} applications made through
 * the HTTP API of the real gateway (spread over 10 repositories and 4 agents; one in a thousand
 * named {@code payments-...}), their statuses set by the projector from status records, then
 * {@code GET /api/v1/applications} as a browser asks for it (API token, {@code Accept-Encoding:
 * gzip}, one request at a time): the first page of 50, a page deep in the list reached by following
 * {@code Link} headers, a search, a filter, and, as the baseline, the whole list without
 * {@code limit}. The kinds take turns, so drift falls on each alike.
 */
final class ListBench {

  static final int PAGE = 50;
  static final String SEARCH = "payments";
  private static final int WARMUP = 5;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

  record Options(int applications, int requests) {}

  /** One answer: how long it took, its items' ids, X-Total-Count, and its size on the wire and as JSON. */
  record Answer(long nanos, List<String> ids, long total, int wireBytes, int jsonBytes, String next) {}

  /** One kind of request and what its answers measured. */
  record Row(String name, String path, List<Answer> answers) {

    Percentiles latencies() {
      return Percentiles.of(answers.stream().mapToLong(Answer::nanos).toArray());
    }

    Answer last() {
      return answers.get(answers.size() - 1);
    }
  }

  /** Every page from the first, following Link: how many, how long in all, and whether they make the whole list. */
  record Walk(int pages, long nanos, long wireBytes, Percentiles perPage, boolean wholeListInOrder, String deepPath) {}

  private final Options options;
  private final PrintStream out;

  ListBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Report run() throws Exception {
    try (BenchGateway gateway = BenchGateway.start(out, true)) {
      HttpClient http = TokenApi.client();
      TokenApi api = TokenApi.admin(http, gateway.base());
      List<String> repositories = new ArrayList<>();
      for (int r = 0; r < 10; r++) {
        repositories.add(api.createRepository("repo-" + r));
      }
      List<String> agents = new ArrayList<>();
      for (int a = 0; a < 4; a++) {
        agents.add(api.createAgent("host-" + a));
      }
      long creating = System.nanoTime();
      List<String> ids = api.createApplications(options.applications(), 8, ListBench::name,
          i -> repositories.get(i % repositories.size()), i -> agents.get(i % agents.size()));
      out.printf(Locale.ROOT, "%,d applications created through POST /api/v1/applications in %.1f s%n", ids.size(),
          BenchGateway.seconds(creating));
      var database = gateway.database();
      try (Connection jdbc = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
        long statuses = System.nanoTime();
        setStatuses(gateway, ids, jdbc);
        out.printf(Locale.ROOT, "their statuses set by the projector in %.1f s (one in ten out of sync, one in twenty "
            + "unhealthy)%n", BenchGateway.seconds(statuses));

        String base = "/api/v1/applications";
        Walk walk = walk(api, base + "?limit=" + PAGE);
        out.printf(Locale.ROOT, "warm-up: %d pages followed by Link, each kind of request %d times...%n", walk.pages(),
            WARMUP);
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("baseline: the whole list (no limit)", base);
        kinds.put("first page (limit=" + PAGE + ")", base + "?limit=" + PAGE);
        kinds.put("a deep page (reached by following Link)", walk.deepPath());
        kinds.put("search q=" + SEARCH + " (limit=" + PAGE + ")", base + "?q=" + SEARCH + "&limit=" + PAGE);
        kinds.put("filter syncStatus=out_of_sync (limit=" + PAGE + ")", base + "?syncStatus=out_of_sync&limit=" + PAGE);
        for (int w = 0; w < WARMUP; w++) {
          for (String path : kinds.values()) {
            get(api, path);
          }
        }
        out.printf(Locale.ROOT, "measuring: %d requests of each kind, taking turns...%n", options.requests());
        Map<String, List<Answer>> answers = new LinkedHashMap<>();
        kinds.keySet().forEach(name -> answers.put(name, new ArrayList<>()));
        for (int r = 0; r < options.requests(); r++) {
          for (Map.Entry<String, String> kind : kinds.entrySet()) {
            answers.get(kind.getKey()).add(get(api, kind.getValue()));
          }
        }
        List<Row> rows = new ArrayList<>();
        kinds.forEach((name, path) -> rows.add(new Row(name, path, answers.get(name))));
        return new Report(options, rows, walk(api, base + "?limit=" + PAGE));
      }
    }
  }

  static String name(int i) {
    return String.format(Locale.ROOT, i % 1000 == 7 ? SEARCH + "-%05d" : "app-%05d", i);
  }

  /** Statuses through the projector, as deployments' ends report them; waits until every row shows its own. */
  private void setStatuses(BenchGateway gateway, List<String> ids, Connection jdbc) throws Exception {
    StatusRecords records = new StatusRecords(gateway.topics().status());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      Instant now = Instant.now();
      for (int i = 0; i < ids.size(); i++) {
        producer.send(records.status(ids.get(i), i % 10 == 3 ? SyncStatus.OUT_OF_SYNC : SyncStatus.SYNCED,
            i % 20 == 5 ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY, "seed-" + i, now));
      }
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    try (PreparedStatement seeded = jdbc.prepareStatement(
        "SELECT count(*) FROM applications WHERE commit_sha LIKE 'seed-%'")) {
      while (true) {
        try (ResultSet rs = seeded.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == ids.size()) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the projector did not set every status within 5 minutes");
        }
        Thread.sleep(100);
      }
    }
  }

  /** Every page from {@code first} on, following Link; checks they make the whole list, in order. */
  private Walk walk(TokenApi api, String first) throws Exception {
    List<String> seen = new ArrayList<>();
    List<Long> nanos = new ArrayList<>();
    long wire = 0;
    String deep = null;
    int pages = 0;
    int middle = options.applications() / PAGE / 2;
    for (String path = first; path != null; pages++) {
      if (pages == middle) {
        deep = path;
      }
      Answer page = get(api, path);
      nanos.add(page.nanos());
      seen.addAll(page.ids());
      wire += page.wireBytes();
      path = page.next();
      if (pages > options.applications()) {
        throw new IllegalStateException("the Link headers did not end after " + pages + " pages");
      }
    }
    List<String> whole = get(api, "/api/v1/applications").ids();
    return new Walk(pages, nanos.stream().mapToLong(Long::longValue).sum(), wire,
        Percentiles.of(nanos.stream().mapToLong(Long::longValue).toArray()), seen.equals(whole),
        deep != null ? deep : first);
  }

  private static Answer get(TokenApi api, String path) throws IOException, InterruptedException {
    long begun = System.nanoTime();
    HttpResponse<byte[]> response = api.send(api.request(path).header("Accept", "application/json")
        .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    long nanos = System.nanoTime() - begun;
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
          + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] json = response.body();
    if ("gzip".equalsIgnoreCase(response.headers().firstValue("Content-Encoding").orElse(""))) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(json))) {
        json = in.readAllBytes();
      }
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode item : JSON.readTree(json)) {
      ids.add(item.path("id").asString());
    }
    long total = Long.parseLong(response.headers().firstValue("X-Total-Count").orElse("-1"));
    return new Answer(nanos, ids, total, response.body().length, json.length,
        nextLink(response.headers().allValues("Link")));
  }

  /** The target of the {@code rel="next"} link among Link header values, or null. */
  static String nextLink(List<String> values) {
    for (String value : values) {
      Matcher m = NEXT.matcher(value);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  record Report(Options options, List<Row> rows, Walk walk) {

    void print(PrintStream out) {
      Percentiles baseline = rows.get(0).latencies();
      out.println();
      out.printf(Locale.ROOT, "%-46s %7s %8s %8s %7s %7s %11s %10s %8s%n", "GET /api/v1/applications", "samples",
          "p50 ms", "p99 ms", "items", "total", "JSON bytes", "gzip bytes", "p50/base");
      for (Row row : rows) {
        Percentiles p = row.latencies();
        Answer last = row.last();
        out.printf(Locale.ROOT, "%-46s %7d %8.1f %8.1f %,7d %,7d %,11d %,10d %8.3f%n", row.name(), p.count(),
            p.percentileMillis(50), p.percentileMillis(99), last.ids().size(), last.total(), last.jsonBytes(),
            last.wireBytes(), p.percentileMillis(50) / baseline.percentileMillis(50));
      }
      out.println();
      out.printf(Locale.ROOT, "the deep page: %s%n", rows.get(2).path());
      out.printf(Locale.ROOT, "every page from the first, following Link: %d pages in %.2f s (p50 %.1f ms, p99 %.1f ms "
              + "a page), %,d bytes gzipped; together the whole list, in order: %s%n", walk.pages(), walk.nanos() / 1e9,
          walk.perPage().percentileMillis(50), walk.perPage().percentileMillis(99), walk.wireBytes(),
          walk.wholeListInOrder() ? "yes" : "NO");
      out.printf(Locale.ROOT, "(one client, one request at a time, API token and Accept-Encoding: gzip as a browser "
          + "sends it; latency to the last byte; items and total (X-Total-Count) of the last answer)%n");
    }
  }
}
