package dev.orca.bench;

import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

/**
 * What PostgreSQL spent between two samples: CPU time of the postmaster and of every backend
 * (from /proc; backends are the postmaster's children, those that ended are in its children's
 * time) and transactions committed or rolled back in one database ({@code pg_stat_database},
 * where each statement outside a transaction, the pool's {@code SELECT 1} included, is one).
 * A sample waits a moment first: PostgreSQL 14's backends report their counts at most every
 * half second.
 */
final class PostgresProbe implements AutoCloseable {

  private static final long REPORT_DELAY_MILLIS = 1200;

  private final Connection connection;
  private final long postmaster;

  private PostgresProbe(Connection connection, long postmaster) {
    this.connection = connection;
    this.postmaster = postmaster;
  }

  record Sample(double cpuSeconds, long transactions) {}

  static PostgresProbe connect(SharedPostgres.Database database) throws SQLException, IOException {
    Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      String stat = Files.readString(Path.of("/proc", Long.toString(rs.getLong(1)), "stat"));
      return new PostgresProbe(connection, ProcStat.parentPid(stat));
    } catch (SQLException | IOException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  Sample sample() throws SQLException, IOException, InterruptedException {
    Thread.sleep(REPORT_DELAY_MILLIS);
    long transactions;
    try (Statement s = connection.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs = s.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database"
          + " WHERE datname = current_database()")) {
        rs.next();
        transactions = rs.getLong(1);
      }
    }
    ProcStat server = ProcStat.of(postmaster);
    double cpu = server.cpuSeconds() + server.childCpuSeconds();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (ProcStat.parentPid(Files.readString(process.resolve("stat"))) == postmaster) {
            cpu += ProcStat.of(Long.parseLong(name)).cpuSeconds();
          }
        } catch (IOException e) {
          // The process ended while we looked; its time is now in the postmaster's children's.
        }
      }
    }
    return new Sample(cpu, transactions);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
