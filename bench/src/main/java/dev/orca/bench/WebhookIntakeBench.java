package dev.orca.bench;

import dev.orca.testsupport.FreePorts;
import dev.orca.gateway.GatewayApplication;
import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhook intake of one real gateway (embedded PostgreSQL and Kafka, in this JVM as the launcher
 * runs it): repositories of sync type webhook created through the HTTP API like a user would, then
 * GitHub push deliveries (the gateway's own fixture, each with its delivery id, commit and
 * X-Hub-Signature-256) from concurrent clients over loopback. Reports the 202s apart from the
 * rate limit's 429s, and checks that every accepted delivery put exactly one SyncRequested on
 * sync-requests. Baseline: the same client and concurrency against {@code GET /api/v1/health} of
 * the same gateway in the same run.
 */
final class WebhookIntakeBench {

  /** WebhookRateLimit's burst per repository; a delivery past it (within a second) is answered 429. */
  static final int RATE_LIMIT_BURST = 60;
  /** How many turns the baseline and the webhooks take each. */
  static final int ROUNDS = 4;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String EMAIL = "bench@example.com";
  private static final String PASSWORD = "Bench-Password-42";
  private static final Pattern SYNC_ID = Pattern.compile("\"syncId\"\\s*:\\s*\"([^\"]+)\"");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();

  record Options(int count, int concurrency, int repositories, int warmup) {}

  private final Options options;
  private final PrintStream out;

  WebhookIntakeBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Deliveries each repository receives in the whole run (warm-up included), rounded up. */
  static int deliveriesPerRepository(int deliveries, int repositories) {
    return (deliveries + repositories - 1) / repositories;
  }

  Report run() throws Exception {
    long begun = System.nanoTime();
    String bootstrap = SharedKafka.bootstrapServers();
    SharedPostgres.Database database = SharedPostgres.newDatabase();
    out.printf(Locale.ROOT, "Kafka broker and PostgreSQL ready in %.1f s%n", seconds(begun));

    int port = FreePorts.next();
    String base = "http://127.0.0.1:" + port;
    // Spring must not re-initialise logging: slf4j-simple serves every part of this JVM.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    long gatewayBegun = System.nanoTime();
    try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
        .properties(gatewayProperties(bootstrap, database, port, base))
        .registerShutdownHook(false)
        .logStartupInfo(false)
        .run()) {
      out.printf(Locale.ROOT, "api-gateway listening on %s, started in %.1f s%n", base, seconds(gatewayBegun));
      Topics topics = gateway.getBean(Topics.class);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      Api api = new Api(http, base);

      String session = api.registerAndLogin();
      long creating = System.nanoTime();
      String[] urls = new String[options.repositories()];
      String[] secrets = new String[options.repositories()];
      Load.Result created = Load.run(options.repositories(), options.concurrency(), i -> {
        secrets[i] = "whsec-" + randomToken();
        JsonNode repository = api.createWebhookRepository(session, "bench-" + i, secrets[i]);
        urls[i] = repository.path("webhookUrl").asString();
        return "created";
      });
      if (created.count("created"::equals) != options.repositories()) {
        throw new IllegalStateException("creating the repositories failed: " + created.counts());
      }
      out.printf(Locale.ROOT, "%d repositories of sync type webhook created through POST /api/v1/repositories in %.1f s%n",
          options.repositories(), seconds(creating));
      int health = api.health();
      if (health != 200) {
        throw new IllegalStateException("GET /api/v1/health answers " + health + " before the bench starts");
      }

      int total = options.warmup() + options.count();
      int perRepository = deliveriesPerRepository(total, options.repositories());
      out.printf(Locale.ROOT, "deliveries spread round-robin over %d repositories: at most %d each in this run "
              + "(the gateway's rate limit allows a burst of %d per repository, then 1/s; fewer repositories "
              + "would measure the rate limit, not intake)%s%n", options.repositories(), perRepository,
          RATE_LIMIT_BURST, perRepository > RATE_LIMIT_BURST ? ": EXPECT 429s" : "");
      List<HttpRequest> deliveries = deliveries(total, urls, secrets);
      String[] syncIds = new String[total];

      Load.Call healthCall = i -> Integer.toString(api.health());
      Load.Call webhookCall = i -> {
        HttpResponse<String> response = http.send(deliveries.get(i), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202) {
          Matcher m = SYNC_ID.matcher(response.body());
          syncIds[i] = m.find() ? m.group(1) : null;
        }
        return Integer.toString(response.statusCode());
      };
      out.printf(Locale.ROOT, "warm-up: %d health checks and %d deliveries...%n", options.warmup(), options.warmup());
      Load.run(options.warmup(), options.concurrency(), healthCall);
      Load.Result warmup = Load.run(options.warmup(), options.concurrency(), webhookCall);

      // The two loads take turns, so drift on a shared machine and the JIT's late work fall on both.
      Load.Result baseline = Load.Result.empty();
      Load.Result webhooks = Load.Result.empty();
      Cost healthCost = Cost.NONE;
      Cost webhookCost = Cost.NONE;
      try (PostgresProbe postgres = PostgresProbe.connect(database)) {
        Meter meter = new Meter(postgres);
        int next = options.warmup();
        for (int size : Load.split(options.count(), ROUNDS)) {
          baseline = baseline.plus(Load.run(size, options.concurrency(), healthCall));
          healthCost = healthCost.plus(meter.measure());
          int first = next;
          webhooks = webhooks.plus(Load.run(size, options.concurrency(), i -> webhookCall.run(first + i)));
          webhookCost = webhookCost.plus(meter.measure());
          next += size;
        }
      }

      List<String> accepted = new ArrayList<>();
      for (String syncId : syncIds) {
        if (syncId != null) {
          accepted.add(syncId);
        }
      }
      SyncCount records = countSyncRequests(bootstrap, topics.syncRequests(), accepted);
      return new Report(options, baseline, webhooks, warmup.count("202"::equals), healthCost.per(options.count()),
          webhookCost.per(options.count()), records);
    }
  }

  /** What requests cost: ms of CPU of this JVM and of PostgreSQL, and PostgreSQL transactions. */
  record Cost(double jvmCpuMillis, double postgresCpuMillis, double transactions) {

    static final Cost NONE = new Cost(0, 0, 0);

    Cost plus(Cost other) {
      return new Cost(jvmCpuMillis + other.jvmCpuMillis, postgresCpuMillis + other.postgresCpuMillis,
          transactions + other.transactions);
    }

    Cost per(int requests) {
      return new Cost(jvmCpuMillis / requests, postgresCpuMillis / requests, transactions / requests);
    }
  }

  /**
   * Measures each load from where the last one ended. The JVM's CPU is read right at the load's
   * edges; PostgreSQL's is sampled once its counters have settled, which the next load waits for.
   */
  static final class Meter {
    private final PostgresProbe postgres;
    private ProcStat jvm;
    private PostgresProbe.Sample database;

    Meter(PostgresProbe postgres) throws Exception {
      this.postgres = postgres;
      this.database = postgres.sample();
      this.jvm = ProcStat.of(ProcessHandle.current().pid());
    }

    Cost measure() throws Exception {
      ProcStat jvmNow = ProcStat.of(ProcessHandle.current().pid());
      PostgresProbe.Sample databaseNow = postgres.sample();
      Cost cost = new Cost((jvmNow.cpuSeconds() - jvm.cpuSeconds()) * 1000,
          (databaseNow.cpuSeconds() - database.cpuSeconds()) * 1000,
          databaseNow.transactions() - database.transactions());
      database = databaseNow;
      jvm = ProcStat.of(ProcessHandle.current().pid());
      return cost;
    }
  }

  private Map<String, Object> gatewayProperties(String bootstrap, SharedPostgres.Database database, int port,
      String base) {
    return gatewayProperties(bootstrap, database, port, base,
        "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".");
  }

  /** The gateway alone in this JVM on loopback, with its own topic prefix; shared with the push bench. */
  static Map<String, Object> gatewayProperties(String bootstrap, SharedPostgres.Database database, int port,
      String base, String topicPrefix) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("orca.kafka-bootstrap", bootstrap);
    props.put("orca.database-url", database.orcaUrl());
    props.put("orca.app-secret", randomToken());
    props.put("orca.public-url", base);
    props.put("orca.topic-prefix", topicPrefix);
    // The benches create applications by the thousand with one token: measured is the pipeline, not the limit.
    props.put("orca.rate-limit.api-burst", "1000000");
    props.put("orca.rate-limit.api-per-second", "1000000");
    // Only the gateway runs here: health checks the database and the broker, no stream processor's group.
    props.put("orca.health.required-groups", "");
    props.put("server.address", "127.0.0.1");
    props.put("server.port", Integer.toString(port));
    props.put("spring.reactor.netty.shutdown-quiet-period", "0s");
    // Agents registered here connect as they would to ./orca up's broker: SCRAM over TLS.
    dev.orca.testsupport.SharedKafka.broker().ifPresent(broker -> {
      props.put("ORCA_AGENT_KAFKA_BOOTSTRAP", broker.agentsBootstrap());
      props.put("ORCA_AGENT_KAFKA_CA_CERT", broker.tls().caCertificatePem());
    });
    return props;
  }

  /**
   * The gateway's GitHub push fixture for each delivery: its own delivery id and commit, sent to
   * repository {@code i % repositories} and signed with that repository's secret. Built before the
   * clock starts, so the clients measure the gateway rather than their own HMACs.
   */
  private static List<HttpRequest> deliveries(int total, String[] urls, String[] secrets) throws IOException {
    String body = resource("/webhooks/github-push.json");
    String headers = resource("/webhooks/github-push.headers");
    List<HttpRequest> requests = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      int repository = i % urls.length;
      byte[] payload = body.replace("${COMMIT}", randomSha()).getBytes(StandardCharsets.UTF_8);
      Map<String, String> values = Map.of("${DELIVERY}", UUID.randomUUID().toString(),
          "${SIGNATURE}", HexFormat.of().formatHex(hmacSha256(secrets[repository], payload)));
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(urls[repository])).timeout(TIMEOUT)
          .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
      fixtureHeaders(headers, values).forEach(request::header);
      requests.add(request.build());
    }
    return requests;
  }

  /**
   * One GitHub push delivery of {@code sha} to {@code url}: the gateway's fixture with its own
   * delivery id, signed with {@code secret} as GitHub signs it.
   */
  static HttpRequest githubPush(String url, String secret, String sha, Duration timeout) throws IOException {
    byte[] payload = resource("/webhooks/github-push.json").replace("${COMMIT}", sha).getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    fixtureHeaders(resource("/webhooks/github-push.headers"), Map.of("${DELIVERY}", UUID.randomUUID().toString(),
        "${SIGNATURE}", HexFormat.of().formatHex(hmacSha256(secret, payload)))).forEach(request::header);
    return request.build();
  }

  /** {@code Name: value} lines with the placeholders filled in. */
  static Map<String, String> fixtureHeaders(String lines, Map<String, String> values) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : lines.split("\n")) {
      int colon = line.indexOf(':');
      if (line.isBlank() || colon < 0) {
        continue;
      }
      String value = line.substring(colon + 1).trim();
      for (Map.Entry<String, String> v : values.entrySet()) {
        value = value.replace(v.getKey(), v.getValue());
      }
      headers.put(line.substring(0, colon).trim(), value);
    }
    return headers;
  }

  /**
   * Reads sync-requests from its start to its end: how many SyncRequested the webhooks produced,
   * and whether each accepted sync id is there exactly once.
   */
  private static SyncCount countSyncRequests(String bootstrap, Topic<String, SyncRequested> topic,
      List<String> accepted) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Integer> seen = new HashMap<>();
    int webhookRecords = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), TIMEOUT).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic.name() + " to its end within " + TIMEOUT);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          SyncRequested request = topic.value(r.value());
          if (request.getTrigger() == SyncTrigger.WEBHOOK) {
            webhookRecords++;
            seen.merge(request.getSyncId(), 1, Integer::sum);
          }
        }
      }
    }
    return SyncCount.of(accepted, seen, webhookRecords);
  }

  /** What sync-requests holds for the accepted deliveries. */
  record SyncCount(int accepted, int records, int exactlyOnce, int duplicated, int missing) {

    static SyncCount of(List<String> accepted, Map<String, Integer> seen, int records) {
      int once = 0;
      int duplicated = 0;
      int missing = 0;
      for (String syncId : accepted) {
        int n = seen.getOrDefault(syncId, 0);
        if (n == 1) {
          once++;
        } else if (n > 1) {
          duplicated++;
        } else {
          missing++;
        }
      }
      return new SyncCount(accepted.size(), records, once, duplicated, missing);
    }
  }

  record Report(Options options, Load.Result health, Load.Result webhooks, int warmupAccepted, Cost healthCost,
      Cost webhookCost, SyncCount syncs) {

    private static final Predicate<String> OK = "200"::equals;
    private static final Predicate<String> ACCEPTED = "202"::equals;
    private static final Predicate<String> RATE_LIMITED = "429"::equals;

    void print(PrintStream out) {
      Percentiles h = health.latencies(OK);
      Percentiles w = webhooks.latencies(ACCEPTED);
      out.println();
      out.printf(Locale.ROOT, "%-37s %7s %7s %7s %7s %7s %8s %8s %7s%n", "per request", "answers", "per s",
          "p50 ms", "p99 ms", "mean ms", "JVM CPU", "PG CPU", "PG xact");
      row(out, "baseline: GET /api/v1/health 200", h, health.perSecond(OK), healthCost);
      row(out, "webhook: GitHub push accepted (202)", w, webhooks.perSecond(ACCEPTED), webhookCost);
      out.printf(Locale.ROOT, "%-37s %7s %7.2f %7.1f %7.1f %7.1f %8.1f %8.1f %7.1f%n", "ratio (webhook / health)", "",
          webhooks.perSecond(ACCEPTED) / health.perSecond(OK), w.percentileMillis(50) / h.percentileMillis(50),
          w.percentileMillis(99) / h.percentileMillis(99), w.meanMillis() / h.meanMillis(),
          webhookCost.jvmCpuMillis() / healthCost.jvmCpuMillis(),
          webhookCost.postgresCpuMillis() / healthCost.postgresCpuMillis(),
          webhookCost.transactions() / healthCost.transactions());
      out.println();
      out.printf(Locale.ROOT, "webhook answers: %d accepted (202), %d refused by the rate limit (429), other: %s%n",
          webhooks.count(ACCEPTED), webhooks.count(RATE_LIMITED),
          others(webhooks, ACCEPTED.or(RATE_LIMITED)));
      out.printf(Locale.ROOT, "health answers: %d ok (200), other: %s%n", health.count(OK), others(health, OK));
      out.printf(Locale.ROOT, "sync-requests: %d SyncRequested records (trigger webhook) for %d accepted deliveries "
              + "(%d measured + %d warm-up); accepted sync ids found exactly once: %d, more than once: %d, "
              + "missing: %d%n", syncs.records(), syncs.accepted(), webhooks.count(ACCEPTED), warmupAccepted,
          syncs.exactlyOnce(), syncs.duplicated(), syncs.missing());
      out.printf(Locale.ROOT, "(the baseline and the webhooks took %d turns each. per s: answers of that kind per "
          + "second of their load's wall time, %d clients. JVM CPU: ms of this process's CPU per request, clients, "
          + "gateway and broker together. PG CPU: ms of PostgreSQL's processes. PG xact: PostgreSQL transactions "
          + "per request, the connection pool's SELECT 1 before each statement included; the gateway's background "
          + "work counts in both loads)%n", ROUNDS, options.concurrency());
    }

    private static String others(Load.Result result, Predicate<String> known) {
      Map<String, Integer> others = new LinkedHashMap<>();
      result.counts().forEach((outcome, n) -> {
        if (!known.test(outcome)) {
          others.put(outcome, n);
        }
      });
      return others.isEmpty() ? "none" : others.toString();
    }

    private static void row(PrintStream out, String name, Percentiles p, double perSecond, Cost cost) {
      out.printf(Locale.ROOT, "%-37s %7d %7.1f %7.2f %7.2f %7.2f %8.2f %8.2f %7.2f%n", name, p.count(), perSecond,
          p.percentileMillis(50), p.percentileMillis(99), p.meanMillis(), cost.jvmCpuMillis(),
          cost.postgresCpuMillis(), cost.transactions());
    }
  }

  /** The public HTTP API as a user's script calls it. */
  static final class Api {
    private final HttpClient http;
    private final String base;

    Api(HttpClient http, String base) {
      this.http = http;
      this.base = base;
    }

    /** Registers the first user (the admin) and logs in; returns the session cookie's value. */
    String registerAndLogin() throws IOException, InterruptedException {
      String credentials = "{\"email\":\"" + EMAIL + "\",\"password\":\"" + PASSWORD + "\"";
      expect(post("/api/v1/auth/register", credentials + ",\"name\":\"Bench\"}", null), 201);
      HttpResponse<String> login = expect(post("/api/v1/auth/login", credentials + "}", null), 200);
      return login.headers().allValues("set-cookie").stream()
          .filter(c -> c.startsWith("orca_session="))
          .map(c -> c.substring("orca_session=".length(), c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("login set no orca_session cookie"));
    }

    /**
     * A repository that syncs by webhook, with the secret its git server signs deliveries with
     * (the API never returns a secret: a user chooses it and gives it to both sides).
     */
    JsonNode createWebhookRepository(String session, String name, String secret)
        throws IOException, InterruptedException {
      String body = "{\"name\":\"" + name + "\",\"url\":\"https://github.com/acme/" + name + ".git\","
          + "\"provider\":\"github\",\"authMethod\":\"none\",\"syncType\":\"webhook\",\"webhookSecret\":\""
          + secret + "\"}";
      JsonNode repository = JSON.readTree(expect(post("/api/v1/repositories", body, session), 201).body());
      if (!repository.path("hasWebhookSecret").asBoolean() || !"webhook".equals(repository.path("syncType").asString())
          || repository.path("webhookUrl").asString("").isEmpty()) {
        throw new IllegalStateException("unexpected repository: " + repository);
      }
      return repository;
    }

    int health() throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    HttpResponse<String> get(String path, String session) throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET()
          .header("Cookie", "orca_session=" + session).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json, String session)
        throws IOException, InterruptedException {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json));
      if (session != null) {
        request.header("Cookie", "orca_session=" + session);
      }
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> expect(HttpResponse<String> response, int status) {
      if (response.statusCode() != status) {
        throw new IllegalStateException(response.request().method() + " " + response.uri().getPath() + " answered "
            + response.statusCode() + " (expected " + status + "): " + response.body());
      }
      return response;
    }
  }

  static String resource(String name) throws IOException {
    try (InputStream in = WebhookIntakeBench.class.getResourceAsStream(name)) {
      return new String(Objects.requireNonNull(in, name + " is not on the class path").readAllBytes(),
          StandardCharsets.UTF_8);
    }
  }

  static byte[] hmacSha256(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is always available", e);
    }
  }

  static String randomSha() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static double seconds(long nanoStart) {
    return (System.nanoTime() - nanoStart) / 1e9;
  }
}
