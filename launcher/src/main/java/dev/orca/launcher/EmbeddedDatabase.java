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
 *
 * <p>Every connection proves a password (SCRAM), over TCP and the Unix socket alike: the library's
 * {@code initdb} trusts any local user as the superuser. The password is made on first start and
 * kept beside the cluster ({@code postgres.password}, mode 0600); each start sets it on the
 * superuser and writes {@code pg_hba.conf} to require it, so a cluster of an earlier version is
 * closed too.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String USER = "postgres";
  private static final String HBA = """
      # Written by Orca at every start: every connection proves the superuser's password (SCRAM),
      # kept beside this directory in postgres.password.
      local   all             all                     scram-sha-256
      host    all             all     127.0.0.1/32    scram-sha-256
      host    all             all     ::1/128         scram-sha-256
      local   replication     all                     scram-sha-256
      host    replication     all     127.0.0.1/32    scram-sha-256
      host    replication     all     ::1/128         scram-sha-256
      """;

  private final EmbeddedPostgres server;
  private final String databaseName;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres server, String databaseName, String password) {
    this.server = server;
    this.databaseName = databaseName;
    this.password = password;
  }

  /**
   * The superuser's password for the cluster in {@code clusterDir}, made (random, URL-safe) and
   * written 0600 beside it on first use.
   */
  static String password(Path clusterDir) {
    Path file = clusterDir.toAbsolutePath().resolveSibling(clusterDir.getFileName() + ".password");
    try {
      if (Files.exists(file)) {
        String kept = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).trim();
        if (!kept.matches("[A-Za-z0-9_-]{32,}")) {
          throw new IllegalStateException(file + " does not hold the PostgreSQL password Orca wrote there; restore"
              + " it from a backup (it goes with the " + clusterDir.getFileName() + " directory)");
        }
        return kept;
      }
      if (Files.exists(clusterDir.resolve("pg_hba.conf"))
          && Files.readString(clusterDir.resolve("pg_hba.conf")).contains("Written by Orca")) {
        throw new IllegalStateException("the PostgreSQL cluster in " + clusterDir + " asks for a password, but "
            + file + " is missing: restore it from a backup (it goes with that directory), or, to set a new one,"
            + " replace " + clusterDir.resolve("pg_hba.conf") + " by a line 'host all postgres 127.0.0.1/32 trust'"
            + " and start again");
      }
      Files.createDirectories(file.getParent());
      byte[] random = new byte[32];
      new java.security.SecureRandom().nextBytes(random);
      String made = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(temporary);
      Files.createFile(temporary, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temporary, made + "\n", java.nio.charset.StandardCharsets.US_ASCII);
      Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return made;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the embedded PostgreSQL password in " + file, e);
    }
  }

  public String password() {
    return password;
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
      String password = password(dataDir);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          // The library's own readiness check logs in too.
          .setConnectConfig("password", password)
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
      EmbeddedDatabase database = new EmbeddedDatabase(server, databaseName, password);
      try {
        database.requirePassword(dataDir);
        database.createDatabaseIfMissing();
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
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
    return url(port(), databaseName, password);
  }

  /** The URL of database {@code databaseName} on a server started on {@code port}. */
  static String url(int port, String databaseName, String password) {
    return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + databaseName;
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

  /**
   * Sets the superuser's password (a cluster made by initdb trusts local users, so the first start
   * can) and makes pg_hba.conf require it, reloading the server when it changed.
   */
  private void requirePassword(Path clusterDir) {
    String admin = "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    try (Connection c = DriverManager.getConnection(admin, USER, password); Statement s = c.createStatement()) {
      // ALTER ROLE takes no parameters; the password is URL-safe base64, checked when read.
      s.execute("SET password_encryption = 'scram-sha-256'");
      s.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
      Path hba = clusterDir.resolve("pg_hba.conf");
      String current = Files.exists(hba) ? Files.readString(hba) : "";
      if (!current.equals(HBA)) {
        Path temporary = clusterDir.resolve("pg_hba.conf.tmp");
        Files.writeString(temporary, HBA);
        Files.move(temporary, hba, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        s.execute("SELECT pg_reload_conf()");
        awaitPasswordRequired();
        log.info("PostgreSQL now asks every connection for the password kept in {}.password", clusterDir);
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot require a password of PostgreSQL connections: " + e.getMessage(), e);
    }
  }

  /** The reload is asynchronous: waits (bounded) until a login without the password is refused. */
  private void awaitPasswordRequired() {
    String admin = "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection open = DriverManager.getConnection(admin, USER, "")) {
        sleepBriefly();
      } catch (SQLException refused) {
        return;
      }
    }
    throw new IllegalStateException("PostgreSQL still lets the superuser in without a password after reloading "
        + "pg_hba.conf");
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void createDatabaseIfMissing() {
    String admin = "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    try (Connection c = DriverManager.getConnection(admin, USER, password)) {
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
