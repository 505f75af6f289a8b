package dev.orca.bench;

import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.schemas.Topic;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Latency from an accepted sync request (SyncRequested acknowledged by Kafka) to the
 * DeployCommand on the agent's topic, through the real sync-stream and deploy-dispatcher, each
 * sync at a new commit that changes the compose file of a repository on a loopback git server;
 * measured once per history length (a repository of 10 commits, of 1,000, of 5,000...), since a
 * sync must not cost more as a repository's history grows. Baseline: the produce→consume latency
 * of one Kafka hop on the same broker in the same run.
 */
final class SyncToCommandBench {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final int syncs;
  private final int warmup;
  private final int hops;
  private final List<Integer> histories;

  SyncToCommandBench(int syncs, int warmup, int hops, List<Integer> histories) {
    this.syncs = syncs;
    this.warmup = warmup;
    this.hops = hops;
    this.histories = histories;
  }

  Result run() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 3, (short) 1);
    String agentId = "bench-agent";
    Path dataDir = Files.createTempDirectory("orca-bench");
    Percentiles baseline = topicsAndBaseline(bootstrap, topics, topics.agentTopics(agentId), hops);

    Map<String, String> env = Map.of("ORCA_KAFKA_BOOTSTRAP", bootstrap, "ORCA_DATA_DIR", dataDir.toString(),
        "ORCA_ALLOW_LOCAL_GIT", "true", "ORCA_TOPIC_PREFIX", topics.prefix());
    List<Row> rows = new ArrayList<>();
    try (GitServer git = GitServer.start();
         KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
         KafkaConsumer<byte[], byte[]> commands = consumer(bootstrap);
         SyncStream sync = SyncStream.start(SyncStreamSettings.fromEnvironment(env));
         DeployDispatcher dispatcher = DeployDispatcher.start(DispatcherSettings.fromEnvironment(env))) {
      if (!sync.awaitRunning(WAIT)) {
        throw new IllegalStateException("sync-stream did not reach RUNNING within " + WAIT);
      }
      awaitRunning(dispatcher::isRunning, "deploy-dispatcher");
      Topic<String, SpecificRecord> commandTopic = topics.agentCommands(agentId);
      commands.subscribe(List.of(commandTopic.name()));
      long revision = 0;
      int marker = 0;
      for (int history : histories) {
        GitRepo repo = git.createRepository("bench-" + history);
        long started = System.nanoTime();
        // The initial commit, the history, and the commit that adds the compose file.
        repo.history(Math.max(0, history - 2));
        repo.commit("compose.yaml", compose(marker++), "compose");
        double historyMs = (System.nanoTime() - started) / 1e6;
        String repositoryId = UUID.randomUUID().toString();
        String applicationId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        send(producer, topics.configRepositories(), repositoryId, RepositoryConfig.newBuilder().setId(repositoryId)
            .setRevision(++revision).setUrl(repo.url()).setProvider("generic").setAuthMethod("none")
            .setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(now).build());
        send(producer, topics.configApplications(), applicationId, ApplicationConfig.newBuilder()
            .setId(applicationId).setRevision(++revision).setRepositoryId(repositoryId).setAgentId(agentId)
            .setBranch("main").setPath("compose.yaml").setUpdatedAt(now).build());
        long[] samples = new long[syncs];
        // The first row also warms the JVM and the pipeline up, so it is not slower for coming first.
        int warm = rows.isEmpty() ? 5 * warmup : warmup;
        for (int i = 1; i <= warm + syncs; i++) {
          String next = "marker-" + marker;
          repo.commit("compose.yaml", compose(marker++), "compose " + i);
          SyncRequested request = SyncRequested.newBuilder().setSyncId(UUID.randomUUID().toString())
              .setRepositoryId(repositoryId).setTrigger(SyncTrigger.MANUAL).setActor("bench")
              .setMinRevision(revision).setAt(Instant.now()).build();
          send(producer, topics.syncRequests(), repositoryId, request);
          long accepted = System.nanoTime();
          awaitCommand(commands, commandTopic, next);
          long latency = System.nanoTime() - accepted;
          if (i > warm) {
            samples[i - warm - 1] = latency;
          }
        }
        rows.add(new Row(history, historyMs, Percentiles.of(samples)));
      }
      return new Result(baseline, rows);
    } finally {
      deleteRecursively(dataDir);
    }
  }

  /**
   * Creates the shared topics, {@code extra} and a baseline topic, then measures one Kafka hop on
   * it: every bench's same-run baseline.
   */
  static Percentiles topicsAndBaseline(String bootstrap, Topics topics, List<NewTopic> extra, int hops)
      throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<NewTopic> all = new ArrayList<>(topics.sharedTopics());
      all.addAll(extra);
      all.add(new NewTopic(topics.prefix() + "baseline", 1, (short) 1));
      TopicAdmin.ensure(admin, all, Duration.ofSeconds(30));
    }
    return measureKafkaHop(bootstrap, topics.prefix() + "baseline", hops);
  }

  static Percentiles measureKafkaHop(String bootstrap, String topic, int hops) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
         KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      consumer.subscribe(List.of(topic));
      consumer.poll(Duration.ofMillis(500));
      long[] samples = new long[hops];
      for (int i = 0; i < hops + 50; i++) {
        byte[] payload = ("hop-" + i).getBytes();
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, payload)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        boolean seen = false;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!seen) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("baseline record " + i + " not consumed within " + WAIT);
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            seen |= new String(r.value()).equals("hop-" + i);
          }
        }
        if (i >= 50) {
          samples[i - 50] = System.nanoTime() - start;
        }
      }
      return Percentiles.of(samples);
    }
  }

  private static void awaitCommand(KafkaConsumer<byte[], byte[]> consumer, Topic<String, SpecificRecord> topic,
      String marker) {
    await(consumer, topic, DeployCommand.class, command -> command.getCompose().contains(marker));
  }

  /** The first record of {@code type} on {@code topic} that is {@code wanted}, within WAIT. */
  static <T extends SpecificRecord> T await(KafkaConsumer<byte[], byte[]> consumer,
      Topic<String, SpecificRecord> topic, Class<T> type, Predicate<T> wanted) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
        SpecificRecord value = topic.value(r.value());
        if (type.isInstance(value) && wanted.test(type.cast(value))) {
          return type.cast(value);
        }
      }
    }
    throw new IllegalStateException("no wanted " + type.getSimpleName() + " on " + topic.name() + " within " + WAIT);
  }

  static void awaitRunning(java.util.function.BooleanSupplier running, String name) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!running.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " did not reach RUNNING within " + WAIT);
      }
      Thread.sleep(50);
    }
  }

  static <V> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key, V value)
      throws Exception {
    producer.send(topic.record(key, value)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String compose(int i) {
    return "services:\n  web:\n    image: orca-test/busybox:1\n    command: [\"httpd\", \"-f\", \"-p\", \"8080\"]\n"
        + "    environment:\n      MARKER: marker-" + i + "\n";
  }

  /** One history length: how long making it took, and the syncs' latencies. */
  record Row(int history, double historyMs, Percentiles syncToCommand) {}

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  record Result(Percentiles kafkaHop, List<Row> rows) {
    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-52s %8s %10s %10s %10s %8s %8s%n", "metric", "samples", "p50 ms", "p99 ms",
          "mean ms", "p50/hop", "p99/hop");
      row(out, "baseline: one Kafka hop (produce -> consume)", kafkaHop);
      for (Row row : rows) {
        row(out, String.format(Locale.ROOT, "sync -> DeployCommand, %,d commits of history", row.history()),
            row.syncToCommand());
      }
      for (Row row : rows) {
        out.printf(Locale.ROOT, "(history of %,d commits written in %.0f ms)%n", row.history(), row.historyMs());
      }
    }

    private void row(PrintStream out, String name, Percentiles p) {
      out.printf(Locale.ROOT, "%-52s %8d %10.2f %10.2f %10.2f %8.1f %8.1f%n", name, p.count(),
          p.percentileMillis(50), p.percentileMillis(99), p.meanMillis(),
          p.percentileMillis(50) / kafkaHop.percentileMillis(50), p.percentileMillis(99) / kafkaHop.percentileMillis(99));
    }
  }
}
