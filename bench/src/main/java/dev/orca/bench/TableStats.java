package dev.orca.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * PostgreSQL's own counts of what was done to each table of one database ({@code
 * pg_stat_user_tables}) and of its transactions ({@code pg_stat_database}), at one moment. PostgreSQL
 * 14's backends send their counts at most every 500 ms, and only at the end of a transaction: a
 * count is complete once every writer has finished a transaction more than 500 ms after its last
 * counted one (a busy gateway does, by itself, within a second or two).
 */
record TableStats(long transactions, Map<String, Table> tables) {

  /** Rows inserted, updated (of which HOT: without touching an index) and deleted; index and sequential scans. */
  record Table(long inserted, long updated, long hotUpdated, long deleted, long indexScans, long sequentialScans) {

    Table minus(Table before) {
      return new Table(inserted - before.inserted, updated - before.updated, hotUpdated - before.hotUpdated,
          deleted - before.deleted, indexScans - before.indexScans, sequentialScans - before.sequentialScans);
    }

    boolean isZero() {
      return inserted == 0 && updated == 0 && deleted == 0 && indexScans == 0 && sequentialScans == 0;
    }
  }

  static final Table NONE = new Table(0, 0, 0, 0, 0, 0);

  static TableStats read(Connection connection) throws SQLException {
    Map<String, Table> tables = new TreeMap<>();
    long transactions;
    try (Statement s = connection.createStatement()) {
      // Within a transaction PostgreSQL would answer from one snapshot of the counts; outside, afresh.
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs = s.executeQuery("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del,"
          + " coalesce(idx_scan, 0), seq_scan FROM pg_stat_user_tables")) {
        while (rs.next()) {
          tables.put(rs.getString(1), new Table(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
              rs.getLong(6), rs.getLong(7)));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database"
          + " WHERE datname = current_database()")) {
        rs.next();
        transactions = rs.getLong(1);
      }
    }
    return new TableStats(transactions, tables);
  }

  /** What happened between {@code before} and this; tables nothing happened to are left out. */
  TableStats minus(TableStats before) {
    Map<String, Table> changed = new TreeMap<>();
    tables.forEach((name, table) -> {
      Table delta = table.minus(before.tables.getOrDefault(name, NONE));
      if (!delta.isZero()) {
        changed.put(name, delta);
      }
    });
    return new TableStats(transactions - before.transactions, changed);
  }

  Table table(String name) {
    return tables.getOrDefault(name, NONE);
  }
}
