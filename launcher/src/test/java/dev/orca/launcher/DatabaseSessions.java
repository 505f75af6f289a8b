package dev.orca.launcher;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The sessions of an Orca's database as PostgreSQL sees them (state, what each waits on, its
 * last query): with a thread dump, what a request that never answered leaves to look at.
 */
final class DatabaseSessions {

  private DatabaseSessions() {}

  /** For an {@code orca.database-url} ({@code postgresql://user:password@host:port/db}). */
  static String describe(String orcaDatabaseUrl) {
    URI url = URI.create(orcaDatabaseUrl);
    String[] user = url.getUserInfo().split(":", 2);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + url.getHost() + ":" + url.getPort()
            + url.getPath(), user[0], user[1]);
         ResultSet rows = c.createStatement().executeQuery("SELECT pid, state, wait_event_type, wait_event,"
             + " xact_start, state_change, left(query, 300) AS query FROM pg_stat_activity"
             + " WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid")) {
      StringBuilder text = new StringBuilder("database sessions:\n");
      while (rows.next()) {
        text.append("  ").append(rows.getInt("pid")).append(' ').append(rows.getString("state")).append(' ')
            .append(rows.getString("wait_event_type")).append('/').append(rows.getString("wait_event"))
            .append(" xact ").append(rows.getString("xact_start")).append(" changed ")
            .append(rows.getString("state_change")).append(": ").append(rows.getString("query")).append('\n');
      }
      return text.toString();
    } catch (SQLException | RuntimeException e) {
      return "database sessions: " + e + "\n";
    }
  }
}
