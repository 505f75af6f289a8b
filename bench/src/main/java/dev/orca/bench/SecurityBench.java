package dev.orca.bench;

import dev.orca.broker.EmbeddedBroker;
import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
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
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the broker's security costs a sync: accepted SyncRequested → DeployCommand on the agent's
 * topic through the real sync-stream and deploy-dispatcher, on the one broker of the run (its
 * authorizer always on), three ways in turn: every client on the unauthenticated super-user
 * listener (the baseline); each component with its own principal and ACLs over SCRAM on the
 * components' listener and the agent reading over SCRAM and TLS (what {@code ./orca up} runs);
 * and every client over SCRAM and TLS (a distributed deployment whose components also use TLS).
 * Each way gets topics and state of its own, and its rounds alternate with the others', so drift
 * on the machine falls on all of them.
 */
final class SecurityBench {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final int syncs;
  private final int warmup;
  private final int rounds;

  SecurityBench(int syncs, int warmup, int rounds) {
    this.syncs = syncs;
    this.warmup = warmup;
    this.rounds = rounds;
  }

  /** One way of connecting: how the components, the gateway's stand-in and the agent's stand-in connect. */
  private enum Way {
    PLAINTEXT("plaintext, no authentication (baseline)"),
    LOCAL("SCRAM per component, agent SCRAM + TLS (./orca up)"),
    TLS("SCRAM + TLS for every client");

    final String label;

    Way(String label) {
      this.label = label;
    }
  }

  /** A running pipeline for one way, with its own topics, principals, git repository and state. */
  private final class Pipeline implements AutoCloseable {
    final Way way;
    final Topics topics;
    final Path dataDir;
    final SyncStream sync;
    final DeployDispatcher dispatcher;
    final KafkaProducer<byte[], byte[]> producer;
    final KafkaConsumer<byte[], byte[]> commands;
    final GitRepo repo;
    final String repositoryId = UUID.randomUUID().toString();
    final long revision;
    int marker;

    Pipeline(Way way, EmbeddedBroker broker, GitServer git) throws Exception {
      this.way = way;
      this.topics = new Topics("sec-" + way.name().toLowerCase(Locale.ROOT) + "-"
          + UUID.randomUUID().toString().substring(0, 6) + ".", 3, (short) 1);
      this.dataDir = Files.createTempDirectory("orca-bench-security");
      String agentId = "bench-agent";
      KafkaAccess.Principals principals = new KafkaAccess.Principals(topics.prefix() + "gateway",
          topics.prefix() + "sync-stream", topics.prefix() + "deploy-dispatcher");
      Map<String, String> passwords = new HashMap<>();
      String agentPrincipal = KafkaAccess.agentPrincipal(agentId + "-" + topics.prefix(), 1);
      for (String principal : List.of(principals.gateway(), principals.syncStream(), principals.dispatcher(),
          agentPrincipal)) {
        passwords.put(principal, KafkaCredentials.newPassword());
      }
      try (Admin admin = Admin.create(broker.superUserClient())) {
        List<org.apache.kafka.clients.admin.NewTopic> all = new ArrayList<>(topics.sharedTopics());
        all.addAll(topics.agentTopics(agentId));
        TopicAdmin.ensure(admin, all, WAIT);
        if (way != Way.PLAINTEXT) {
          KafkaCredentials.setUpComponents(admin, topics, principals, passwords, WAIT);
          KafkaCredentials.grant(admin, KafkaAccess.agent(topics, principals, agentId, agentPrincipal), WAIT);
          KafkaCredentials.upsert(admin, agentPrincipal, passwords.get(agentPrincipal), WAIT);
        }
      }
      Connect gatewayConnect = connect(broker, way, false, principals.gateway(), passwords);
      Connect agentConnect = connect(broker, way, true, agentPrincipal, passwords);
      Map<String, String> env = Map.of("ORCA_DATA_DIR", dataDir.toString(), "ORCA_ALLOW_LOCAL_GIT", "true",
          "ORCA_TOPIC_PREFIX", topics.prefix());
      Map<String, String> syncEnv = connect(broker, way, false, principals.syncStream(), passwords).env(env);
      Map<String, String> dispatcherEnv = connect(broker, way, false, principals.dispatcher(), passwords).env(env);
      Map<String, Object> gatewayClient = gatewayConnect.client();
      Map<String, Object> agentClient = agentConnect.client();
      // The principals' names differ from the defaults: the streams' ACLs follow their application ids.
      this.sync = SyncStream.start(SyncStreamSettings.fromEnvironment(syncEnv));
      this.dispatcher = DeployDispatcher.start(DispatcherSettings.fromEnvironment(dispatcherEnv));
      if (!sync.awaitRunning(WAIT)) {
        throw new IllegalStateException("sync-stream (" + way + ") did not reach RUNNING within " + WAIT);
      }
      SyncToCommandBench.awaitRunning(dispatcher::isRunning, "deploy-dispatcher (" + way + ")");
      this.producer = new KafkaProducer<>(with(gatewayClient, Map.of(ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.LINGER_MS_CONFIG, 0)), new ByteArraySerializer(), new ByteArraySerializer());
      this.commands = new KafkaConsumer<>(with(agentClient, Map.of(
          ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.agentGroup(topics, agentId),
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      commands.subscribe(List.of(topics.agentCommands(agentId).name()));
      this.repo = git.createRepository("sec-" + way.name().toLowerCase(Locale.ROOT));
      repo.history(8);
      repo.commit("compose.yaml", compose(marker++), "compose");
      Instant now = Instant.now();
      String applicationId = UUID.randomUUID().toString();
      SyncToCommandBench.send(producer, topics.configRepositories(), repositoryId, RepositoryConfig.newBuilder()
          .setId(repositoryId).setRevision(1).setUrl(repo.url()).setProvider("generic").setAuthMethod("none")
          .setSyncType("manual").setPollingIntervalSeconds(60).setUpdatedAt(now).build());
      SyncToCommandBench.send(producer, topics.configApplications(), applicationId, ApplicationConfig.newBuilder()
          .setId(applicationId).setRevision(2).setRepositoryId(repositoryId).setAgentId(agentId).setBranch("main")
          .setPath("compose.yaml").setUpdatedAt(now).build());
      this.revision = 2;
    }

    /** One sync at a new commit: nanoseconds from its SyncRequested being acknowledged to the DeployCommand read. */
    long sync() throws Exception {
      String next = "marker-" + marker;
      repo.commit("compose.yaml", compose(marker++), "compose " + marker);
      SyncRequested request = SyncRequested.newBuilder().setSyncId(UUID.randomUUID().toString())
          .setRepositoryId(repositoryId).setTrigger(SyncTrigger.MANUAL).setActor("bench").setMinRevision(revision)
          .setAt(Instant.now()).build();
      SyncToCommandBench.send(producer, topics.syncRequests(), repositoryId, request);
      long accepted = System.nanoTime();
      long deadline = accepted + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : commands.poll(Duration.ofMillis(20))) {
          SpecificRecord value = topics.agentCommands("bench-agent").value(r.value());
          if (value instanceof DeployCommand command && command.getCompose().contains(next)) {
            return System.nanoTime() - accepted;
          }
        }
      }
      throw new IllegalStateException("no DeployCommand with " + next + " within " + WAIT + " (" + way + ")");
    }

    @Override
    public void close() throws Exception {
      commands.close();
      producer.close();
      dispatcher.close();
      sync.close();
      SyncToCommandBench.deleteRecursively(dataDir);
    }
  }

  Result run() throws Exception {
    SharedKafka.bootstrapServers();
    EmbeddedBroker broker = SharedKafka.broker()
        .orElseThrow(() -> new IllegalStateException("the security bench needs its own broker, not an external one"));
    Map<Way, List<Long>> samples = new java.util.EnumMap<>(Way.class);
    try (GitServer git = GitServer.start();
         Pipeline plaintext = new Pipeline(Way.PLAINTEXT, broker, git);
         Pipeline local = new Pipeline(Way.LOCAL, broker, git);
         Pipeline tls = new Pipeline(Way.TLS, broker, git)) {
      List<Pipeline> pipelines = List.of(plaintext, local, tls);
      for (Pipeline pipeline : pipelines) {
        samples.put(pipeline.way, new ArrayList<>());
        for (int i = 0; i < warmup; i++) {
          pipeline.sync();
        }
      }
      int perRound = Math.max(1, syncs / rounds);
      for (int round = 0; round < rounds; round++) {
        for (Pipeline pipeline : pipelines) {
          for (int i = 0; i < perRound; i++) {
            samples.get(pipeline.way).add(pipeline.sync());
          }
        }
      }
    }
    Map<Way, Percentiles> figures = new java.util.EnumMap<>(Way.class);
    samples.forEach((way, values) -> figures.put(way, Percentiles.of(values.stream().mapToLong(Long::longValue)
        .toArray())));
    return new Result(figures, syncs, rounds);
  }

  /** Where and how one client connects. */
  private record Connect(String bootstrap, KafkaSecurity security) {

    Map<String, Object> client() {
      return security.with(bootstrap, Map.of());
    }

    /** A component's environment: {@code base} with the broker and this credential. */
    Map<String, String> env(Map<String, String> base) {
      Map<String, String> env = new HashMap<>(base);
      env.put("ORCA_KAFKA_BOOTSTRAP", bootstrap);
      env.putAll(security.toEnvironment("ORCA_KAFKA_"));
      return env;
    }
  }

  /** The baseline: the super-user listener; ./orca up: components on SCRAM, the agent on SCRAM + TLS; TLS: all on SCRAM + TLS. */
  private static Connect connect(EmbeddedBroker broker, Way way, boolean agent, String principal,
      Map<String, String> passwords) {
    return switch (way) {
      case PLAINTEXT -> new Connect(broker.plaintextBootstrap(), KafkaSecurity.plaintext());
      case LOCAL -> agent
          ? new Connect(broker.agentsBootstrap(), KafkaSecurity.scramOverTls(principal, passwords.get(principal),
              broker.tls().caCertificatePem()))
          : new Connect(broker.internalBootstrap(), KafkaSecurity.scram(principal, passwords.get(principal)));
      case TLS -> new Connect(broker.agentsBootstrap(), KafkaSecurity.scramOverTls(principal, passwords.get(principal),
          broker.tls().caCertificatePem()));
    };
  }

  private static Map<String, Object> with(Map<String, Object> client, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(client);
    config.putAll(extra);
    return config;
  }

  private static String compose(int i) {
    return "services:\n  web:\n    image: orca-test/busybox:1\n    environment:\n      MARKER: marker-" + i + "\n";
  }

  record Result(Map<Way, Percentiles> figures, int syncs, int rounds) {
    void print(PrintStream out) {
      Percentiles base = figures.get(Way.PLAINTEXT);
      out.println();
      out.printf(Locale.ROOT, "accepted sync -> DeployCommand, %d syncs each in %d alternating rounds (ms)%n", syncs,
          rounds);
      out.printf(Locale.ROOT, "%-56s %8s %8s %8s %8s %10s %10s%n", "clients", "samples", "p50", "p90", "p99",
          "p50/base", "p99/base");
      for (Way way : Way.values()) {
        Percentiles p = figures.get(way);
        out.printf(Locale.ROOT, "%-56s %8d %8.1f %8.1f %8.1f %10.2f %10.2f%n", way.label, p.count(),
            p.percentileMillis(50), p.percentileMillis(90), p.percentileMillis(99),
            p.percentileMillis(50) / base.percentileMillis(50), p.percentileMillis(99) / base.percentileMillis(99));
      }
    }
  }
}
