package dev.orca.gateway.projection;

import dev.orca.testsupport.SharedPostgres;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.r2dbc.core.DatabaseClient;

/** A fresh, migrated test database with R2DBC for the code under test and JDBC for assertions. */
final class ProjectionDatabase {

  private final SharedPostgres.Database database = SharedPostgres.newDatabase();

  ProjectionDatabase() {
    Flyway.configure().dataSource(database.jdbcUrl(), database.user(), database.password()).load().migrate();
  }

  DatabaseClient client() {
    return DatabaseClient.create(ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
        .option(ConnectionFactoryOptions.USER, database.user())
        .option(ConnectionFactoryOptions.PASSWORD, database.password())
        .build()));
  }

  void execute(String sql, Object... args) {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first row of a query as column → value, or null when there is none. */
  Map<String, Object> row(String sql, Object... args) {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object value = rs.getObject(i);
          // SQL arrays compare by identity: as lists, two reads of one row are equal.
          row.put(rs.getMetaData().getColumnName(i),
              value instanceof java.sql.Array array ? java.util.List.of((Object[]) array.getArray()) : value);
        }
        return row;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  long count(String sql, Object... args) {
    return ((Number) row(sql, args).values().iterator().next()).longValue();
  }

  void agent(String id) {
    execute("INSERT INTO agents (id, name, revision, created_at, updated_at) VALUES (?, ?, 1, now(), now())", id, id);
  }

  UUID repository() {
    UUID id = UUID.randomUUID();
    execute("INSERT INTO repositories (id, name, url, provider, auth_method, sync_type, revision, created_at,"
        + " updated_at) VALUES (?, 'repo', 'http://127.0.0.1/repo.git', 'generic', 'none', 'manual', 1, now(), now())",
        id);
    return id;
  }

  UUID application(UUID repositoryId, String agentId) {
    UUID id = UUID.randomUUID();
    execute("INSERT INTO applications (id, name_encrypted, name_hash, repository_id, agent_id, branch, path,"
        + " revision, created_at, updated_at) VALUES (?, 'sealed', ?, ?, ?, 'main', 'compose.yaml', 1, now(), now())",
        id, id.toString(), repositoryId, agentId);
    return id;
  }
}
