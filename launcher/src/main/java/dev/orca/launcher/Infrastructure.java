package dev.orca.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and the database Orca runs on: the embedded ones (started side by side, state in
 * {@code <data dir>/kafka} and {@code <data dir>/postgres}) unless the settings point at external
 * ones. Closing stops only what it started, the broker before the database.
 */
final class Infrastructure implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);
  static final Duration BROKER_DEADLINE = Duration.ofSeconds(60);
  static final String DATABASE_NAME = "orca";

  private final EmbeddedBroker broker;
  private final EmbeddedDatabase database;
  private final String kafkaBootstrap;
  private final String databaseUrl;

  private Infrastructure(EmbeddedBroker broker, EmbeddedDatabase database, String kafkaBootstrap, String databaseUrl) {
    this.broker = broker;
    this.database = database;
    this.kafkaBootstrap = kafkaBootstrap;
    this.databaseUrl = databaseUrl;
  }

  static Infrastructure start(LocalSettings settings) {
    Path dataDir = settings.dataDir();
    PortBook ports = new PortBook(dataDir);
    CompletableFuture<EmbeddedDatabase> database = settings.databaseUrl() != null
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> timed("PostgreSQL", () -> EmbeddedDatabase.start(
            dataDir.resolve("postgres"), ports.choose(LocalOrca.DATABASE_PORT, settings.databasePort(), 0), DATABASE_NAME)));
    CompletableFuture<EmbeddedBroker> broker = settings.kafkaBootstrap() != null
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> timed("Kafka broker", () -> EmbeddedBroker.start(
            dataDir.resolve("kafka"),
            ports.choose(LocalOrca.KAFKA_PORT, settings.kafkaPort(), 0),
            ports.choose(LocalOrca.KAFKA_CONTROLLER_PORT, 0, 0),
            BROKER_DEADLINE)));
    try {
      CompletableFuture.allOf(database, broker).join();
    } catch (CompletionException e) {
      // Whichever of the two did start must not outlive the failed start.
      database.thenAccept(d -> { if (d != null) d.close(); });
      broker.thenAccept(b -> { if (b != null) b.close(); });
      CompletableFuture.allOf(database.exceptionally(t -> null), broker.exceptionally(t -> null)).join();
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
    EmbeddedDatabase db = database.join();
    EmbeddedBroker kafka = broker.join();
    return new Infrastructure(kafka, db,
        kafka != null ? kafka.bootstrapServers() : settings.kafkaBootstrap(),
        db != null ? db.url() : settings.databaseUrl());
  }

  String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  String databaseUrl() {
    return databaseUrl;
  }

  boolean embeddedBroker() {
    return broker != null;
  }

  boolean embeddedDatabase() {
    return database != null;
  }

  @Override
  public void close() {
    if (broker != null) {
      long started = System.nanoTime();
      broker.close();
      log.info("Kafka broker stopped in {} ms", millisSince(started));
    }
    if (database != null) {
      long started = System.nanoTime();
      database.close();
      log.info("PostgreSQL stopped in {} ms", millisSince(started));
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
