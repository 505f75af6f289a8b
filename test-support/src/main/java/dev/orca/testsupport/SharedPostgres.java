package dev.orca.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server (embedded binaries) shared by every test of the run; each caller
 * gets a fresh database on it. {@code ORCA_TEST_DATABASE_HOST}/{@code _PORT}/{@code _USER}/
 * {@code _PASSWORD} point the tests at an external server instead.
 */
public final class SharedPostgres {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private SharedPostgres() {}

  /** A database that no other caller of this run uses. */
  public static synchronized Database newDatabase() {
    String host = System.getenv().getOrDefault("ORCA_TEST_DATABASE_HOST", "");
    int port;
    String user;
    String password;
    if (!host.isBlank()) {
      port = Integer.parseInt(System.getenv().getOrDefault("ORCA_TEST_DATABASE_PORT", "5432"));
      user = System.getenv().getOrDefault("ORCA_TEST_DATABASE_USER", "postgres");
      password = System.getenv().getOrDefault("ORCA_TEST_DATABASE_PASSWORD", "postgres");
    } else {
      host = "127.0.0.1";
      port = embedded().getPort();
      user = "postgres";
      password = "postgres";
    }
    String name = "orca_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", user, password);
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database: " + e.getMessage(), e);
    }
    return new Database(host, port, name, user, password);
  }

  private static EmbeddedPostgres embedded() {
    if (server == null) {
      try {
        EmbeddedPostgres started = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (IOException ignored) {
            // the JVM is exiting; the server's directory is temporary
          }
        }, "shared-postgres-stop"));
        server = started;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
    }
    return server;
  }

  /** Where a test database lives. */
  public record Database(String host, int port, String name, String user, String password) {
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    public String r2dbcUrl() {
      return "r2dbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /** The form Orca reads from ORCA_DATABASE_URL: {@code postgresql://user:password@host:port/db}. */
    public String orcaUrl() {
      return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + name;
    }
  }
}
