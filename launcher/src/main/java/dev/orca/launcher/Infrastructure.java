package dev.orca.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and the database Orca runs on: the embedded ones (started side by side in the
 * background, state in {@code <data dir>/kafka} and {@code <data dir>/postgres}) unless the
 * settings point at external ones. Their addresses are known before they are up, so components
 * can start as soon as the server they need is ready. Closing stops only what it started, the
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

  private final CompletableFuture<EmbeddedBroker> broker;
  private final CompletableFuture<EmbeddedDatabase> database;
  private final String kafkaBootstrap;
  private final String databaseUrl;

  private Infrastructure(CompletableFuture<EmbeddedBroker> broker, CompletableFuture<EmbeddedDatabase> database,
      String kafkaBootstrap, String databaseUrl) {
    this.broker = broker;
    this.database = database;
    this.kafkaBootstrap = kafkaBootstrap;
    this.databaseUrl = databaseUrl;
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
      databaseUrl = EmbeddedDatabase.url(port, DATABASE_NAME);
      database = CompletableFuture.supplyAsync(() -> timed("PostgreSQL",
          () -> EmbeddedDatabase.start(dataDir.resolve("postgres"), port, DATABASE_NAME)), THREAD_PER_SERVER);
    }
    CompletableFuture<EmbeddedBroker> broker;
    String kafkaBootstrap;
    if (settings.kafkaBootstrap() != null) {
      broker = CompletableFuture.completedFuture(null);
      kafkaBootstrap = settings.kafkaBootstrap();
    } else {
      int port = ports.choose(LocalOrca.KAFKA_PORT, settings.kafkaPort(), 0);
      int controllerPort = ports.choose(LocalOrca.KAFKA_CONTROLLER_PORT, 0, 0);
      kafkaBootstrap = EmbeddedBroker.bootstrapServers(port);
      broker = CompletableFuture.supplyAsync(() -> timed("Kafka broker",
          () -> EmbeddedBroker.start(dataDir.resolve("kafka"), port, controllerPort, BROKER_DEADLINE)), THREAD_PER_SERVER);
    }
    return new Infrastructure(broker, database, kafkaBootstrap, databaseUrl);
  }

  String kafkaBootstrap() {
    return kafkaBootstrap;
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
