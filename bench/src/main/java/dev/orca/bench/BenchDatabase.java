package dev.orca.bench;

import dev.orca.testsupport.SharedPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Where a bench's gateway keeps its data. Durable (the default of the benches that use it): a
 * PostgreSQL server of the bench's own, set up as {@code ./orca up} sets up its embedded one
 * (the launcher's EmbeddedDatabase: fsync and synchronous_commit on, its data in the working
 * directory, removed at the end),
 * so that a commit costs what it costs a user. Otherwise a database on the tests' shared server,
 * which runs with fsync and synchronous_commit off: figures without the disk's flushes.
 */
final class BenchDatabase implements AutoCloseable {

  private final EmbeddedPostgres server;
  private final SharedPostgres.Database database;

  private BenchDatabase(EmbeddedPostgres server, SharedPostgres.Database database) {
    this.server = server;
    this.database = database;
  }

  static BenchDatabase start(boolean durable) throws IOException, SQLException {
    if (!durable) {
      return new BenchDatabase(null, SharedPostgres.newDatabase());
    }
    // Its data in the working directory, where ./orca up keeps ./data: the temporary directory may
    // be memory (tmpfs), where fsync flushes nothing.
    java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory(
        java.nio.file.Path.of(System.getProperty("user.dir")), "orca-bench-postgres-");
    EmbeddedPostgres server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir.toFile())
        .setCleanDataDirectory(true)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "100")
        .start();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE orca_bench");
    } catch (SQLException e) {
      server.close();
      throw e;
    }
    return new BenchDatabase(server, new SharedPostgres.Database("127.0.0.1", server.getPort(), "orca_bench",
        "postgres", "postgres"));
  }

  SharedPostgres.Database database() {
    return database;
  }

  /** How commits are made durable, for the output. */
  String describe() {
    return server != null
        ? "its own PostgreSQL, fsync and synchronous_commit on, as ./orca up runs it"
        : "the tests' shared PostgreSQL, fsync and synchronous_commit off";
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      server.close();
    }
  }
}
