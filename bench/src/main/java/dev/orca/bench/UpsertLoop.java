package dev.orca.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;

/**
 * The projector's baseline: one {@code INSERT ... ON CONFLICT DO UPDATE} per event, autocommit, on
 * one JDBC connection, into a scratch table shaped like the applications' status columns, for the
 * same application ids. What the database does for a client that writes each event as it comes,
 * with no Kafka, no decoding, no encryption and no event log.
 */
final class UpsertLoop {

  static final String TABLE = "bench_application_status";

  private final Connection connection;
  private final List<String> applicationIds;
  /** About as long as an encrypted compose file of the projector's events. */
  private final String compose;
  private long upserts;

  private UpsertLoop(Connection connection, List<String> applicationIds, String compose) {
    this.connection = connection;
    this.applicationIds = applicationIds;
    this.compose = compose;
  }

  static UpsertLoop create(Connection connection, List<String> applicationIds, int composeLength)
      throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE " + TABLE + " (id uuid PRIMARY KEY, sync_status text NOT NULL,"
          + " health_status text NOT NULL, commit_sha text, commit_message text, last_synced_at timestamptz,"
          + " last_sync_error text, compose_encrypted text, compose_digest text, current_deployment_id text,"
          + " updated_at timestamptz NOT NULL)");
    }
    connection.setAutoCommit(true);
    return new UpsertLoop(connection, applicationIds, "x".repeat(composeLength));
  }

  /** {@code count} upserts, one statement and one commit each, round-robin over the applications. */
  void run(int count) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + TABLE
        + " (id, sync_status, health_status, commit_sha, commit_message, last_synced_at, last_sync_error,"
        + " compose_encrypted, compose_digest, current_deployment_id, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, now())"
        + " ON CONFLICT (id) DO UPDATE SET sync_status = EXCLUDED.sync_status,"
        + " health_status = EXCLUDED.health_status, commit_sha = EXCLUDED.commit_sha,"
        + " commit_message = EXCLUDED.commit_message, last_synced_at = EXCLUDED.last_synced_at,"
        + " last_sync_error = EXCLUDED.last_sync_error, compose_encrypted = EXCLUDED.compose_encrypted,"
        + " compose_digest = EXCLUDED.compose_digest, current_deployment_id = EXCLUDED.current_deployment_id,"
        + " updated_at = EXCLUDED.updated_at")) {
      for (int i = 0; i < count; i++, upserts++) {
        String commit = "c" + upserts;
        upsert.setObject(1, UUID.fromString(applicationIds.get((int) (upserts % applicationIds.size()))));
        upsert.setString(2, upserts % 2 == 0 ? "syncing" : "synced");
        upsert.setString(3, "healthy");
        upsert.setString(4, commit);
        upsert.setString(5, "bench " + commit);
        upsert.setTimestamp(6, new Timestamp(System.currentTimeMillis()));
        upsert.setString(7, compose);
        upsert.setString(8, commit);
        upsert.setString(9, commit);
        upsert.executeUpdate();
      }
    }
  }

  /**
   * After a timed {@link #run}: PostgreSQL 14 sends a backend's counts at most every 500 ms, at the
   * end of a transaction, so one more transaction after that long gets the loop's last ones counted.
   */
  void settle() throws SQLException, InterruptedException {
    Thread.sleep(600);
    try (Statement s = connection.createStatement()) {
      s.execute("SELECT 1");
    }
  }
}
