package dev.orca.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real PostgreSQL server (embedded binaries) on 127.0.0.1 whose cluster lives in a directory
 * that survives restarts; {@code initdb} runs only when the directory is empty. Creates the Orca
 * database on first start. A server left running by a killed launcher is stopped first.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String USER = "postgres";
  static final String PASSWORD = "postgres";

  private final EmbeddedPostgres server;
  private final String databaseName;

  private EmbeddedDatabase(EmbeddedPostgres server, String databaseName) {
    this.server = server;
    this.databaseName = databaseName;
  }

  /** Starts PostgreSQL on {@code dataDir} and {@code port}, creating {@code databaseName} if missing. */
  public static EmbeddedDatabase start(Path dataDir, int port, String databaseName) {
    if (!databaseName.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("database name must be a plain lower-case identifier: " + databaseName);
    }
    try {
      Files.createDirectories(dataDir);
      stopOrphan(dataDir);
      // PostgreSQL itself would only give up after the whole start-up wait.
      if (!PortBook.isFree(port)) {
        throw new IllegalStateException("cannot start embedded PostgreSQL: port " + port + " is in use (ORCA_DATABASE_PORT)");
      }
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir.toFile())
          .setCleanDataDirectory(false)
          .setPort(port)
          .setRegisterShutdownHook(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          // The library tunes for throw-away test databases (fsync off); this one keeps real state.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("max_connections", "100")
          .setPGStartupWait(Duration.ofSeconds(30))
          .start();
      EmbeddedDatabase database = new EmbeddedDatabase(server, databaseName);
      database.createDatabaseIfMissing();
      return database;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDir + " on port " + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** The URL in the form the gateway reads from {@code ORCA_DATABASE_URL}. */
  public String url() {
    return url(port(), databaseName);
  }

  /** The URL of database {@code databaseName} on a server started on {@code port}. */
  static String url(int port, String databaseName) {
    return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + databaseName;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + databaseName;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.warn("PostgreSQL did not stop cleanly: {}", e.toString());
    }
  }

  private void createDatabaseIfMissing() {
    String admin = "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    try (Connection c = DriverManager.getConnection(admin, USER, PASSWORD)) {
      boolean exists;
      try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        q.setString(1, databaseName);
        try (ResultSet rs = q.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) {
        try (Statement s = c.createStatement()) {
          // The name was checked against a plain identifier pattern above.
          s.execute("CREATE DATABASE " + databaseName);
        }
        log.info("Created database {}", databaseName);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + databaseName + ": " + e.getMessage(), e);
    }
  }

  /**
   * A launcher killed with SIGKILL leaves its postmaster running and holding the data directory;
   * stop it so this start does not fail on the lock file.
   */
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(cmd -> cmd.contains("postgres")).orElse(false));
    if (process.isEmpty()) {
      return;
    }
    log.warn("Stopping PostgreSQL (pid {}) left running by an earlier launcher", pid);
    ProcessHandle orphan = process.get();
    orphan.destroy();
    try {
      orphan.onExit().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL pid " + pid + " still holds " + dataDir + "; stop it and retry", e);
    }
  }
}
