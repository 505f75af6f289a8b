package dev.orca.launcher;

import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and the database Orca runs on: the embedded ones (started side by side in the
 * background, state in {@code <data dir>/kafka}, {@code <data dir>/kafka-tls} and {@code <data
 * dir>/postgres}) unless the settings point at external ones. The embedded broker runs with its
 * authorizer; once it is up, each component's principal gets a new password (generated at every
 * start, kept only in this JVM) and its ACLs ({@link KafkaAccess#components}), before any
 * component connects. Agents reach it on its agents' listener ({@code ORCA_AGENT_KAFKA_HOST},
 * default 127.0.0.1; set it to a name or address of this host that other hosts reach it by, and
 * the listener opens on every interface; {@code ORCA_AGENT_KAFKA_PORT}, default 19093). Their
 * addresses are known before they are up, so components can start as soon as the server they
 * need is ready. Closing stops only what it started, the
 * broker before the database, after waiting (bounded) for a start still in flight.
 */
final class Infrastructure implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);
  static final Duration BROKER_DEADLINE = Duration.ofSeconds(60);
  /** Longer than either server's own start deadline, so closing never abandons a server that is still starting. */
  private static final Duration START_WAIT = BROKER_DEADLINE.plusSeconds(30);
  static final String DATABASE_NAME = "orca";
  private static final Executor THREAD_PER_SERVER = start -> {
    Thread thread = new Thread(start, "orca-infrastructure-start");
    thread.setDaemon(true);
    thread.start();
  };

  static final String AGENTS_PORT = "kafka-agents";
  static final String BROKER_PORT = "kafka-broker";

  private final CompletableFuture<EmbeddedBroker> broker;
  private final CompletableFuture<EmbeddedDatabase> database;
  private final String kafkaBootstrap;
  private final String databaseUrl;
  /** Per principal, the password it got at this start; empty for an external broker. */
  private final Map<String, String> passwords;
  private final KafkaAccess.Principals principals;
  /** The agents' listener and the CA they trust it by; null for an external broker. */
  private final String agentsBootstrap;
  private final String caCertificatePem;

  private Infrastructure(CompletableFuture<EmbeddedBroker> broker, CompletableFuture<EmbeddedDatabase> database,
      String kafkaBootstrap, String databaseUrl, Map<String, String> passwords, String agentsBootstrap,
      String caCertificatePem) {
    this.broker = broker;
    this.database = database;
    this.kafkaBootstrap = kafkaBootstrap;
    this.databaseUrl = databaseUrl;
    this.passwords = passwords;
    this.principals = KafkaAccess.Principals.defaults();
    this.agentsBootstrap = agentsBootstrap;
    this.caCertificatePem = caCertificatePem;
  }

  /** Starts the embedded servers the settings ask for in the background and returns at once. */
  static Infrastructure start(LocalSettings settings) {
    Path dataDir = settings.dataDir();
    PortBook ports = new PortBook(dataDir);
    CompletableFuture<EmbeddedDatabase> database;
    String databaseUrl;
    if (settings.databaseUrl() != null) {
      database = CompletableFuture.completedFuture(null);
      databaseUrl = settings.databaseUrl();
    } else {
      int port = ports.choose(LocalOrca.DATABASE_PORT, settings.databasePort(), 0);
      databaseUrl = EmbeddedDatabase.url(port, DATABASE_NAME, EmbeddedDatabase.password(dataDir.resolve("postgres")));
      database = CompletableFuture.supplyAsync(() -> timed("PostgreSQL",
          () -> EmbeddedDatabase.start(dataDir.resolve("postgres"), port, DATABASE_NAME)), THREAD_PER_SERVER);
    }
    if (settings.kafkaBootstrap() != null) {
      return new Infrastructure(CompletableFuture.completedFuture(null), database, settings.kafkaBootstrap(),
          databaseUrl, Map.of(), null, null);
    }
    Map<String, String> env = settings.environment();
    String agentsHost = env.getOrDefault("ORCA_AGENT_KAFKA_HOST", "").isBlank() ? "127.0.0.1"
        : env.get("ORCA_AGENT_KAFKA_HOST").trim();
    EmbeddedBroker.Ports brokerPorts = new EmbeddedBroker.Ports(
        ports.choose(LocalOrca.KAFKA_CONTROLLER_PORT, 0, 0),
        ports.choose(BROKER_PORT, 0, 0),
        ports.choose(LocalOrca.KAFKA_PORT, settings.kafkaPort(), 0),
        ports.choose(AGENTS_PORT, LocalSettings.port(env, "ORCA_AGENT_KAFKA_PORT", 0), 19093),
        agentsHost, 0);
    // Before the broker starts: its certificate must name the agents' host.
    BrokerTls tls = BrokerTls.loadOrCreate(dataDir.resolve("kafka-tls"), List.of(agentsHost));
    Topics topics = Topics.fromEnvironment(env);
    KafkaAccess.Principals principals = KafkaAccess.Principals.defaults();
    Map<String, String> passwords = new HashMap<>();
    for (String principal : List.of(principals.gateway(), principals.syncStream(), principals.dispatcher())) {
      passwords.put(principal, KafkaCredentials.newPassword());
    }
    CompletableFuture<EmbeddedBroker> broker = CompletableFuture.supplyAsync(() -> timed("Kafka broker", () -> {
      EmbeddedBroker started = EmbeddedBroker.start(dataDir.resolve("kafka"), tls, brokerPorts, BROKER_DEADLINE);
      try (Admin admin = Admin.create(started.superUserClient())) {
        KafkaCredentials.setUpComponents(admin, topics, principals, passwords, BROKER_DEADLINE);
      } catch (RuntimeException e) {
        started.close();
        throw e;
      }
      return started;
    }), THREAD_PER_SERVER);
    return new Infrastructure(broker, database, "127.0.0.1:" + brokerPorts.internal(), databaseUrl,
        Map.copyOf(passwords), (agentsHost.contains(":") ? "[" + agentsHost + "]" : agentsHost) + ":"
        + brokerPorts.agents(), tls.caCertificatePem());
  }

  /**
   * The variables a component connects with: the embedded broker's components' listener with the
   * principal's password of this start; nothing for an external broker (the component reads the
   * ORCA_KAFKA_* variables it was given).
   */
  Map<String, String> kafkaCredentials(String principal) {
    String password = passwords.get(principal);
    if (password == null) {
      return Map.of();
    }
    return KafkaSecurity.scram(principal, password).toEnvironment("ORCA_KAFKA_");
  }

  KafkaAccess.Principals principals() {
    return principals;
  }

  /** What the gateway tells agents: the agents' listener and its CA; nothing for an external broker. */
  Map<String, String> agentListener() {
    if (agentsBootstrap == null) {
      return Map.of();
    }
    return Map.of("ORCA_AGENT_KAFKA_BOOTSTRAP", agentsBootstrap, "ORCA_AGENT_KAFKA_CA_CERT",
        Base64.getEncoder().encodeToString(caCertificatePem.getBytes(StandardCharsets.US_ASCII)),
        "ORCA_AGENT_KAFKA_SECURITY_PROTOCOL", KafkaSecurity.SASL_SSL);
  }

  String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /** The embedded broker's own identity (its super user), once it runs; empty for an external broker. */
  Optional<Map<String, Object>> kafkaSuperUserClient() {
    EmbeddedBroker started = broker.join();
    return started == null ? Optional.empty() : Optional.of(started.superUserClient());
  }

  String databaseUrl() {
    return databaseUrl;
  }

  /** Completes when the broker answers (at once for an external one), exceptionally when it did not start. */
  CompletableFuture<?> kafkaReady() {
    return broker;
  }

  /** Completes when the database accepts connections (at once for an external one). */
  CompletableFuture<?> databaseReady() {
    return database;
  }

  /** Waits until both are ready; throws as soon as either fails to start. */
  void awaitReady() {
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    database.whenComplete((ready, error) -> failOn(error, outcome));
    broker.whenComplete((ready, error) -> failOn(error, outcome));
    CompletableFuture.allOf(database, broker).whenComplete((ready, error) -> outcome.complete(null));
    try {
      outcome.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
  }

  private static void failOn(Throwable error, CompletableFuture<Void> outcome) {
    if (error != null) {
      outcome.completeExceptionally(error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
    }
  }

  @Override
  public void close() {
    EmbeddedBroker kafka = settle(broker);
    if (kafka != null) {
      long started = System.nanoTime();
      kafka.close();
      log.info("Kafka broker stopped in {} ms", millisSince(started));
    }
    EmbeddedDatabase db = settle(database);
    if (db != null) {
      long started = System.nanoTime();
      db.close();
      log.info("PostgreSQL stopped in {} ms", millisSince(started));
    }
  }

  /** What a start produced once it has finished, or null when it failed or is still running after {@link #START_WAIT}. */
  private static <T> T settle(CompletableFuture<T> start) {
    try {
      return start.get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return start.isDone() && !start.isCompletedExceptionally() ? start.join() : null;
    } catch (ExecutionException e) {
      return null;
    } catch (TimeoutException e) {
      log.warn("Still starting after {}; not stopped", START_WAIT);
      return null;
    }
  }

  private static <T> T timed(String what, Supplier<T> step) {
    long started = System.nanoTime();
    T result = step.get();
    log.info("{} ready in {} ms", what, millisSince(started));
    return result;
  }

  static long millisSince(long nanoStart) {
    return (System.nanoTime() - nanoStart) / 1_000_000;
  }
}
