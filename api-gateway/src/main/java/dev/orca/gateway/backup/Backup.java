package dev.orca.gateway.backup;

import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.schemas.crypto.SecretBox;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code orca export} and {@code orca import}: everything that makes an installation, as one
 * document (users with their password hashes and API tokens, OIDC providers and the accounts
 * linked to them, agents with their environment keys, repositories and applications with their
 * settings and environments, the deployment history and the audit log) and back.
 *
 * <p>Values sealed at rest leave opened (the document travels inside {@link BackupFile}, sealed
 * with a passphrase) and are sealed again under the importing installation's {@code APP_SECRET},
 * and the names' blind index is recomputed under it: the two installations need not share a key.
 * An import goes into an empty database only: it migrates it to the schema the export was made
 * on, inserts every row in one transaction, then migrates on to this version's schema. It marks
 * the database restored, so the gateway's first start publishes the configuration again to the
 * broker, which may be a new one ({@code RestoredConfiguration}).
 *
 * <p>Not carried, each for its reason in {@link #LEFT_OUT}: sessions (people sign in again),
 * what is in flight, and what the broker holds (agents' Kafka passwords are never stored; an agent
 * on another host gets new connection settings by a token rotation).
 */
public final class Backup {

  static final String FORMAT = "orca-export";
  static final int VERSION = 1;
  /** Set by an import; the gateway republishes the configuration at its next start, then deletes it. */
  public static final String RESTORED_SETTING = "restored_from_export";
  /** The setting naming the local agent ({@code ./orca up}'s own), which needs no new settings. */
  static final String LOCAL_AGENT_SETTING = "local_agent_id";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A table carried, in an order that satisfies its foreign keys, with the columns sealed at rest. */
  record Table(String name, String order, Set<String> sealed) {}

  static final List<Table> TABLES = List.of(
      new Table("users", "created_at, id", Set.of()),
      new Table("api_tokens", "created_at, id", Set.of()),
      new Table("oidc_providers", "created_at, id", Set.of("client_secret_encrypted")),
      new Table("user_identities", "created_at, provider_id, subject", Set.of()),
      new Table("agents", "created_at, id", Set.of("environment_key_encrypted")),
      new Table("repositories", "created_at, id", Set.of("secret_encrypted", "webhook_secret_encrypted")),
      new Table("applications", "created_at, id",
          Set.of("name_encrypted", "compose_encrypted", "previous_compose_encrypted", "image_webhook_secret_encrypted")),
      new Table("deployments", "started_at, id", Set.of()),
      new Table("deployment_contents", "created_at, id", Set.of("compose_encrypted", "files_encrypted")),
      new Table("notification_channels", "created_at, id",
          Set.of("url_encrypted", "secret_encrypted", "email_password_encrypted")),
      new Table("audit_log", "id", Set.of("changes_encrypted")),
      new Table("system_settings", "key", Set.of()));

  /** Every other table of the schema, with why it is not carried; a table in neither list fails the tests. */
  static final Map<String, String> LEFT_OUT = Map.ofEntries(
      Map.entry("sessions", "people sign in again on the restored installation"),
      Map.entry("oidc_logins", "provider sign-ins in flight, valid ten minutes"),
      Map.entry("login_failures", "sign-in throttling counts, kept for minutes"),
      Map.entry("outbox", "records waiting for the broker: the import republishes the whole configuration instead"),
      Map.entry("events", "the live feed's log: dashboards load afresh"),
      Map.entry("webhook_deliveries", "delivery ids kept a day against replays; a late delivery is judged by its commit as well"),
      Map.entry("image_updates", "image updates waiting to coalesce, seconds long"),
      Map.entry("retired_agents", "deleted agents' topics waiting to be dropped from the old broker"),
      Map.entry("retired_agent_partitions", "deleted agents' topics waiting to be dropped from the old broker"),
      Map.entry("flyway_schema_history", "the import migrates the database itself"),
      Map.entry("notification_deliveries", "notifications queued or sent by the old installation: its log"),
      Map.entry("notification_suppressions", "which failures were told already: the new installation tells them again"),
      Map.entry("auto_rollbacks", "automatic rollbacks waiting to be sent, seconds long"));

  private Backup() {}

  /** A PostgreSQL to read or write, as JDBC takes it. */
  public record Database(String url, String user, String password) {

    Connection connect() throws SQLException {
      Properties properties = new Properties();
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      return DriverManager.getConnection(url, properties);
    }

    @Override
    public String toString() {
      return "Database[" + url + "]";
    }
  }

  /**
   * What a document holds, or what an import restored: rows per table, the schema it was made on,
   * when, and the agents that need new connection settings (every agent but the local one: its
   * credential lived on the exporting installation's broker).
   */
  public record Summary(Map<String, Integer> rows, String schemaVersion, String exportedAt,
      List<String> agentsToReconnect) {}

  /** The installation as a JSON document, read in one consistent snapshot (Orca may be running). */
  public static byte[] export(Database database, SecretBox secrets) throws SQLException {
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      ObjectNode document = JSON.createObjectNode();
      document.put("format", FORMAT);
      document.put("version", VERSION);
      document.put("exportedAt", Instant.now().toString());
      document.put("schemaVersion", schemaVersion(connection));
      document.put("configRevision", scalar(connection, "SELECT last_value FROM config_revision"));
      ObjectNode tables = document.putObject("tables");
      for (Table table : TABLES) {
        tables.set(table.name(), rows(connection, table, secrets));
      }
      connection.commit();
      // Every secret left the database opened: the audit log says so, and who ran it.
      connection.setReadOnly(false);
      try (PreparedStatement audit = connection.prepareStatement("INSERT INTO audit_log (actor_type, actor_name,"
          + " action, entity_type, status) VALUES ('cli', ?, 'system.export', 'system', 200)")) {
        audit.setString(1, "orca export (" + System.getProperty("user.name") + ")");
        audit.executeUpdate();
      }
      connection.commit();
      return JSON.writeValueAsBytes(document);
    }
  }

  private static ArrayNode rows(Connection connection, Table table, SecretBox secrets) throws SQLException {
    ArrayNode rows = JSON.createArrayNode();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM " + table.name() + " ORDER BY " + table.order())) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        ObjectNode row = rows.addObject();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String column = meta.getColumnName(i);
          String where = table.name() + "." + column;
          row.set(column, table.sealed().contains(column) ? opened(rs.getString(i), secrets, where)
              : value(rs, i, meta.getColumnTypeName(i), where));
        }
      }
    }
    return rows;
  }

  private static JsonNode opened(String sealed, SecretBox secrets, String where) {
    if (sealed == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    try {
      return JsonNodeFactory.instance.stringNode(secrets.decrypt(sealed));
    } catch (SecretBox.DecryptionException e) {
      throw new IllegalStateException("a value of " + where + " opens with no key of APP_SECRET or"
          + " ORCA_APP_SECRET_PREVIOUS: export with the secret that sealed it (" + e.getMessage() + ")");
    }
  }

  private static JsonNode value(ResultSet rs, int i, String type, String where) throws SQLException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    Object raw = rs.getObject(i);
    if (raw == null) {
      return nodes.nullNode();
    }
    return switch (type) {
      case "uuid", "text", "varchar", "bpchar" -> nodes.stringNode(rs.getString(i));
      case "int2", "int4", "int8", "serial", "bigserial" -> nodes.numberNode(rs.getLong(i));
      case "bool" -> nodes.booleanNode(rs.getBoolean(i));
      case "timestamptz" -> nodes.stringNode(rs.getObject(i, OffsetDateTime.class).toString());
      case "bytea" -> nodes.stringNode(Base64.getEncoder().encodeToString(rs.getBytes(i)));
      case "_text", "_varchar", "_uuid" -> {
        ArrayNode values = nodes.arrayNode();
        for (Object item : (Object[]) rs.getArray(i).getArray()) {
          values.add(String.valueOf(item));
        }
        yield values;
      }
      case "jsonb", "json" -> JSON.readTree(rs.getString(i));
      default -> throw new IllegalStateException("cannot export " + where + ": its type " + type + " is not known to"
          + " the export");
    };
  }

  /** What the document holds, without writing anything; refuses what is not an export this version reads. */
  public static Summary describe(byte[] json) {
    return summary(parse(json));
  }

  private static Summary summary(ObjectNode document) {
    Map<String, Integer> rows = new LinkedHashMap<>();
    for (Table table : TABLES) {
      rows.put(table.name(), document.get("tables").path(table.name()).size());
    }
    return new Summary(rows, document.get("schemaVersion").asString(), document.path("exportedAt").asString(),
        agentsToReconnect(document));
  }

  private static ObjectNode parse(byte[] json) {
    JsonNode document;
    try {
      document = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new BackupFile.UnreadableException("the export's content is not readable: " + e.getOriginalMessage());
    }
    if (!(document instanceof ObjectNode object) || !FORMAT.equals(object.path("format").asString(null))) {
      throw new BackupFile.UnreadableException("the file does not hold an Orca export");
    }
    int version = object.path("version").asInt(-1);
    if (version != VERSION) {
      throw new BackupFile.UnreadableException("the export is of version " + version + "; this Orca reads version "
          + VERSION + ": import it with the Orca that made it, or a newer one");
    }
    if (!object.path("schemaVersion").isString() || !object.path("tables").isObject()) {
      throw new BackupFile.UnreadableException("the export lacks its schema version or its tables");
    }
    return object;
  }

  private static List<String> agentsToReconnect(ObjectNode document) {
    String local = null;
    for (JsonNode setting : document.get("tables").path("system_settings")) {
      if (LOCAL_AGENT_SETTING.equals(setting.path("key").asString(null))) {
        local = setting.path("value").asString(null);
      }
    }
    List<String> agents = new ArrayList<>();
    for (JsonNode agent : document.get("tables").path("agents")) {
      String id = agent.path("id").asString(null);
      if (id != null && !id.equals(local)) {
        agents.add(agent.path("name").asString(id) + " (" + id + ")");
      }
    }
    return agents;
  }

  /**
   * Restores the document into {@code database}, which must hold no Orca data yet, sealing every
   * secret with {@code secrets} and indexing names with {@code index}; all or nothing.
   */
  public static Summary restore(Database database, SecretBox secrets, BlindIndex index, byte[] json)
      throws SQLException {
    ObjectNode document = parse(json);
    String schema = document.get("schemaVersion").asString();
    var known = flyway(database, null).info().all();
    MigrationVersion latest = known.length == 0 ? null : known[known.length - 1].getVersion();
    MigrationVersion wanted;
    try {
      wanted = MigrationVersion.fromVersion(schema);
    } catch (RuntimeException e) {
      throw new BackupFile.UnreadableException("the export names schema version '" + schema + "', which is not one");
    }
    if (latest == null || wanted.isNewerThan(latest.getVersion())) {
      throw new IllegalArgumentException("the export was made by a newer Orca (schema " + schema + "; this one knows up"
          + " to " + (latest == null ? "none" : latest.getVersion()) + "): import it with that version or a newer one");
    }
    try (Connection connection = database.connect()) {
      String current = existingSchema(connection);
      if (current != null) {
        refuseUnlessEmpty(connection);
        if (!current.equals(wanted.getVersion())) {
          throw new IllegalArgumentException("the database already has Orca's tables of schema " + current
              + " (the export's is " + schema + "): import into a fresh ORCA_DATA_DIR, or an empty database");
        }
      }
    }
    flyway(database, wanted).migrate();
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      try {
        refuseUnlessEmpty(connection);
        for (Table table : TABLES) {
          // A table the export lacks was not carried by the version that made it: nothing to restore.
          JsonNode rows = document.get("tables").get(table.name());
          if (rows != null) {
            insert(connection, table, rows, secrets, index);
          }
        }
        settleWhatWasInFlight(connection);
        long revision = Math.max(1, document.path("configRevision").asLong(1));
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT setval('config_revision', greatest(?, (SELECT coalesce(max(revision), 1) FROM (SELECT revision FROM"
                + " agents UNION ALL SELECT revision FROM repositories UNION ALL SELECT revision FROM applications) r)))")) {
          statement.setLong(1, revision);
          statement.execute();
        }
        try (Statement statement = connection.createStatement()) {
          statement.execute("SELECT setval(pg_get_serial_sequence('audit_log', 'id'),"
              + " (SELECT coalesce(max(id), 0) + 1 FROM audit_log), false)");
        }
        try (PreparedStatement marker = connection.prepareStatement(
            "INSERT INTO system_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")) {
          marker.setString(1, RESTORED_SETTING);
          marker.setString(2, document.path("exportedAt").asString(""));
          marker.executeUpdate();
        }
        try (PreparedStatement audit = connection.prepareStatement("INSERT INTO audit_log (actor_type, actor_name,"
            + " action, entity_type, status) VALUES ('cli', ?, 'system.import', 'system', 200)")) {
          audit.setString(1, "orca import (" + System.getProperty("user.name") + ")");
          audit.executeUpdate();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
    flyway(database, null).migrate();
    return summary(document);
  }

  private static Flyway flyway(Database database, MigrationVersion target) {
    var configuration = Flyway.configure(Backup.class.getClassLoader())
        .dataSource(database.url(), database.user(), database.password())
        .locations("classpath:db/migration");
    if (target != null) {
      configuration = configuration.target(target);
    }
    return configuration.load();
  }

  private static String existingSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return null;
      }
    }
    return schemaVersion(connection);
  }

  private static String schemaVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT"
            + " NULL ORDER BY installed_rank DESC LIMIT 1")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * What was under way when the export was read never ends on the new broker: a deployment in
   * progress is recorded as timed out (an application with one would ignore image updates for
   * good), and a removal waiting for its agent is dropped (the application can be deleted again).
   */
  private static void settleWhatWasInFlight(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE deployments SET state = 'timed_out', ended_at = coalesce(ended_at, now()),"
          + " updated_at = now(), error = coalesce(error, 'still in progress when the installation was exported: its"
          + " outcome was not carried') WHERE lower(state) = 'in_progress'");
      statement.executeUpdate("UPDATE applications SET removal_request_id = NULL, removal_deadline = NULL"
          + " WHERE removal_request_id IS NOT NULL");
    }
  }

  private static void refuseUnlessEmpty(Connection connection) throws SQLException {
    for (String table : TABLES.stream().map(Table::name).toList()) {
      if (scalar(connection, "SELECT count(*) FROM " + table) > 0) {
        throw new IllegalArgumentException("the database already holds Orca data (" + table + "): an import goes into"
            + " a fresh ORCA_DATA_DIR (one ./orca up has not used), or an empty database, never over what is there");
      }
    }
  }

  private static long scalar(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void insert(Connection connection, Table table, JsonNode rows, SecretBox secrets, BlindIndex index)
      throws SQLException {
    if (!rows.isArray()) {
      throw new BackupFile.UnreadableException("the export's " + table.name() + " is not a list of rows");
    }
    Map<String, String> types = columnTypes(connection, table.name());
    Map<String, PreparedStatement> statements = new HashMap<>();
    try {
      for (JsonNode row : rows) {
        if (!row.isObject()) {
          throw new BackupFile.UnreadableException("a row of " + table.name() + " in the export is not an object");
        }
        List<String> columns = new ArrayList<>(row.propertyNames());
        for (String column : columns) {
          if (!types.containsKey(column)) {
            throw new BackupFile.UnreadableException("the export has a column " + table.name() + "." + column
                + " that the schema it names does not");
          }
        }
        String sql = "INSERT INTO " + table.name() + " (" + String.join(", ", columns) + ") VALUES ("
            + String.join(", ", columns.stream().map(column -> placeholder(types.get(column))).toList()) + ")";
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
          statement = connection.prepareStatement(sql);
          statements.put(sql, statement);
        }
        for (int i = 0; i < columns.size(); i++) {
          String column = columns.get(i);
          JsonNode value = row.get(column);
          if (table.sealed().contains(column)) {
            value = value.isNull() ? value : JsonNodeFactory.instance.stringNode(secrets.encrypt(value.asString()));
          } else if (table.name().equals("applications") && column.equals("name_hash")) {
            value = JsonNodeFactory.instance.stringNode(index.of(row.path("name_encrypted").asString()));
          }
          bind(connection, statement, i + 1, types.get(column), value, table.name() + "." + column);
        }
        statement.executeUpdate();
      }
    } finally {
      for (PreparedStatement statement : statements.values()) {
        statement.close();
      }
    }
  }

  private static Map<String, String> columnTypes(Connection connection, String table) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT column_name, udt_name FROM"
        + " information_schema.columns WHERE table_schema = current_schema() AND table_name = ?")) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return types;
  }

  private static String placeholder(String type) {
    return switch (type) {
      case "uuid", "timestamptz", "jsonb", "json" -> "?::" + type;
      default -> "?";
    };
  }

  private static void bind(Connection connection, PreparedStatement statement, int i, String type, JsonNode value,
      String where) throws SQLException {
    if (value == null || value.isNull()) {
      statement.setNull(i, typeOf(type));
      return;
    }
    try {
      switch (type) {
        case "bytea" -> statement.setBytes(i, Base64.getDecoder().decode(value.asString()));
        case "bool" -> statement.setBoolean(i, requireBoolean(value));
        case "int2", "int4" -> statement.setInt(i, Math.toIntExact(requireNumber(value)));
        case "int8" -> statement.setLong(i, requireNumber(value));
        case "_text", "_varchar" -> {
          List<String> items = new ArrayList<>();
          for (JsonNode item : value) {
            items.add(item.asString());
          }
          Array array = connection.createArrayOf("text", items.toArray());
          statement.setArray(i, array);
        }
        case "_uuid" -> {
          List<java.util.UUID> items = new ArrayList<>();
          for (JsonNode item : value) {
            items.add(java.util.UUID.fromString(item.asString()));
          }
          statement.setArray(i, connection.createArrayOf("uuid", items.toArray()));
        }
        case "jsonb", "json" -> statement.setString(i, JSON.writeValueAsString(value));
        default -> statement.setString(i, value.asString());
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new BackupFile.UnreadableException("the export's value of " + where + " is not a " + type);
    }
  }

  private static int typeOf(String type) {
    return switch (type) {
      case "bool" -> Types.BOOLEAN;
      case "int2", "int4" -> Types.INTEGER;
      case "int8" -> Types.BIGINT;
      case "_text", "_varchar", "_uuid" -> Types.ARRAY;
      case "bytea" -> Types.BINARY;
      default -> Types.VARCHAR;
    };
  }

  private static boolean requireBoolean(JsonNode value) {
    if (!value.isBoolean()) {
      throw new IllegalArgumentException();
    }
    return value.booleanValue();
  }

  private static long requireNumber(JsonNode value) {
    if (!value.isIntegralNumber()) {
      throw new IllegalArgumentException();
    }
    return value.longValue();
  }
}
