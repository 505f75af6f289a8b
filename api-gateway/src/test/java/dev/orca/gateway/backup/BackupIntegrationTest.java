package dev.orca.gateway.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.schemas.crypto.KeyRing;
import dev.orca.schemas.crypto.SecretBox;
import dev.orca.testsupport.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Backup} on real PostgreSQL databases migrated by the gateway's own migrations: every
 * table of the schema is either carried or left out for a stated reason (so a new table cannot be
 * forgotten), and a database with a row in every carried table comes back value for value in
 * another database under another APP_SECRET, sealed values opening to the same plaintext there.
 */
class BackupIntegrationTest {

  private static final KeyRing OLD = KeyRing.fromSecrets("o".repeat(64), null);
  private static final KeyRing NEW = KeyRing.fromSecrets("n".repeat(64), null);
  private static final SharedPostgres.Database SOURCE = SharedPostgres.newDatabase();
  private static final String AGENT = "agent-" + UUID.randomUUID();
  private static final String APPLICATION_NAME = "Ｐａｙｍｅｎｔｓ API";

  @BeforeAll
  static void fillEveryCarriedTable() throws Exception {
    Flyway.configure().dataSource(SOURCE.jdbcUrl(), SOURCE.user(), SOURCE.password())
        .locations("classpath:db/migration").load().migrate();
    SecretBox box = new SecretBox(OLD);
    UUID user = UUID.randomUUID();
    UUID provider = UUID.randomUUID();
    UUID repository = UUID.randomUUID();
    UUID application = UUID.randomUUID();
    try (Connection c = connect(SOURCE); Statement s = c.createStatement()) {
      s.execute("INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at, must_change_password,"
          + " email_confirmed) VALUES ('" + user + "', 'ada@example.com', 'Ada', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA"
          + "$aGFzaA', 'admin', now(), now(), true, false)");
      s.execute("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at) VALUES ('"
          + UUID.randomUUID() + "', '" + user + "', 'ci', '\\x0102ff', now(), NULL)");
      s.execute("INSERT INTO oidc_providers (id, name, issuer, client_id, client_secret_encrypted, scopes,"
          + " allowed_domains, allowed_groups, admin_groups, created_at, updated_at) VALUES ('" + provider
          + "', 'Corp', 'https://id.example.com', 'orca', '" + box.encrypt("client-secret-1") + "', 'openid email',"
          + " '[\"example.com\"]', '[]', '[\"ops\"]', now(), now())");
      s.execute("INSERT INTO user_identities (provider_id, subject, user_id) VALUES ('" + provider + "', 'sub-1', '"
          + user + "')");
      s.execute("INSERT INTO agents (id, name, revision, created_at, updated_at, environment_key_encrypted,"
          + " kafka_principal, kafka_generation, last_seen) VALUES ('" + AGENT + "', 'edge', nextval('config_revision'),"
          + " now(), now(), '" + box.encrypt("a2V5") + "', 'agent-1', 3, now())");
      s.execute("INSERT INTO repositories (id, name, url, provider, auth_method, username, secret_encrypted, sync_type,"
          + " webhook_secret_encrypted, revision, created_at, updated_at, github_actions_enabled, github_repository,"
          + " github_allowed_branches) VALUES ('" + repository + "', 'stack', 'https://git.example.com/stack.git',"
          + " 'generic', 'basic', 'deployer', '" + box.encrypt("git-password-1") + "', 'webhook', '"
          + box.encrypt("hook-secret-1") + "', nextval('config_revision'), now(), now(), true, 'org/stack',"
          + " '{main,\"release/1\"}')");
      s.execute("INSERT INTO applications (id, name_encrypted, name_hash, repository_id, agent_id, branch, path,"
          + " revision, created_at, updated_at, compose_encrypted, environment_sealed, allowed_policy_rules, self_heal,"
          + " readiness_timeout_seconds, image_webhook_secret_encrypted) VALUES ('" + application + "', '"
          + box.encrypt(APPLICATION_NAME) + "', '" + new BlindIndex(OLD.current()).of(APPLICATION_NAME) + "', '"
          + repository + "', '" + AGENT + "', 'main', 'app/compose.yaml', nextval('config_revision'), now(), now(), '"
          + box.encrypt("services: {}") + "', '\\xdeadbeef', '{host-mounts}', true, 90, '"
          + box.encrypt("image-secret-1") + "')");
      s.execute("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest,"
          + " state, started_at, deadline, updated_at) VALUES ('d-1', '" + application + "', '" + AGENT
          + "', 1, 'sync', 'user:ada', 'abc', 'sha256:1', 'succeeded', now(), now(), now())");
      // Under way when the export is read: no dispatcher of the new broker will ever end it.
      s.execute("INSERT INTO deployments (id, application_id, agent_id, generation, reason, actor, commit_sha, digest,"
          + " state, started_at, deadline, updated_at) VALUES ('d-2', '" + application + "', '" + AGENT
          + "', 2, 'sync', 'user:ada', 'abd', 'sha256:2', 'in_progress', now(), now(), now())");
      // What deployment d-1 ran, for a rollback on the restored installation.
      s.execute("INSERT INTO deployment_contents (id, application_id, digest, commit_sha, commit_message,"
          + " compose_encrypted, files_encrypted, environment_sealed, environment_agent_id, created_at) VALUES ('"
          + UUID.randomUUID() + "', '" + application + "', 'sha256:1', 'abc', 'first', '"
          + box.encrypt("services: {web: {image: busybox}}") + "', '" + box.encrypt("{\"app.env\":\"QT0x\"}")
          + "', '\\xdeadbeef', '" + AGENT + "', now())");
      s.execute("INSERT INTO notification_channels (id, name, type, url_encrypted, secret_encrypted, events,"
          + " application_ids, repository_ids, enabled, created_at, updated_at) VALUES ('" + UUID.randomUUID()
          + "', 'ops', 'webhook', '" + box.encrypt("https://hooks.example.com/orca") + "', '"
          + box.encrypt("hook-signing-1") + "', '{deployment_failed,agent_offline}', '{" + application + "}', '{"
          + repository + "}', true, now(), now())");
      s.execute("INSERT INTO audit_log (actor_type, actor_id, action, changes_encrypted, status, address) VALUES"
          + " ('user', '" + user + "', 'application.create', '" + box.encrypt("{\"name\":\"x\"}") + "', 201, '::1')");
      s.execute("INSERT INTO system_settings (key, value) VALUES ('local_agent_id', '" + AGENT + "')");
    }
  }

  @Test
  void shouldCarryOrNameAReasonForEveryTable() throws Exception {
    Set<String> tables = new HashSet<>();
    try (Connection c = connect(SOURCE); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema ="
            + " current_schema() AND table_type = 'BASE TABLE'")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    Set<String> accounted = new HashSet<>(Backup.LEFT_OUT.keySet());
    Backup.TABLES.forEach(table -> accounted.add(table.name()));
    assertThat(accounted).containsExactlyInAnyOrderElementsOf(tables);
  }

  @Test
  void shouldRestoreEveryCarriedRowUnderAnotherKey() throws Exception {
    Map<String, List<Map<String, Object>>> exported = new LinkedHashMap<>();
    for (Backup.Table table : Backup.TABLES) {
      exported.put(table.name(), rows(SOURCE, table, new SecretBox(OLD)));
    }
    byte[] document = Backup.export(database(SOURCE), new SecretBox(OLD));
    List<Map<String, Object>> audit = rows(SOURCE, Backup.TABLES.stream()
        .filter(table -> table.name().equals("audit_log")).findFirst().orElseThrow(), new SecretBox(OLD));
    assertThat(audit.get(audit.size() - 1).get("action")).as("the export is in the audit log").isEqualTo("system.export");
    String text = new String(document, StandardCharsets.UTF_8);
    // Opened: the document stands on its own (BackupFile seals it with the passphrase).
    assertThat(text).contains("git-password-1", "hook-secret-1", APPLICATION_NAME, "client-secret-1");

    SharedPostgres.Database target = SharedPostgres.newDatabase();
    Backup.Summary summary = Backup.restore(database(target), new SecretBox(NEW), new BlindIndex(NEW.current()),
        document);
    assertThat(summary.agentsToReconnect()).isEmpty();
    for (Backup.Table table : Backup.TABLES) {
      assertThat(summary.rows().get(table.name())).as(table.name()).isGreaterThan(0);
      List<Map<String, Object>> before = exported.get(table.name());
      List<Map<String, Object>> after = rows(target, table, new SecretBox(NEW));
      if (table.name().equals("audit_log")) {
        // The import writes its own entry after the restored ones.
        assertThat(after).hasSize(before.size() + 1);
        assertThat(after.get(after.size() - 1).get("action")).isEqualTo("system.import");
        after = after.subList(0, before.size());
      }
      if (table.name().equals("system_settings")) {
        assertThat(after).anyMatch(row -> Backup.RESTORED_SETTING.equals(row.get("key")));
        after = after.stream().filter(row -> !Backup.RESTORED_SETTING.equals(row.get("key"))).toList();
      }
      if (table.name().equals("applications")) {
        // Indexed under the new key: the same name, another hash.
        assertThat(after.get(0).get("name_hash")).isEqualTo(new BlindIndex(NEW.current()).of(APPLICATION_NAME))
            .isNotEqualTo(before.get(0).get("name_hash"));
        before.forEach(row -> row.remove("name_hash"));
        after.forEach(row -> row.remove("name_hash"));
      }
      if (table.name().equals("deployments")) {
        Map<String, Object> settled = after.stream().filter(row -> "d-2".equals(row.get("id"))).findFirst()
            .orElseThrow();
        assertThat(settled.get("state")).isEqualTo("timed_out");
        assertThat((String) settled.get("error")).contains("still in progress when the installation was exported");
        before = before.stream().filter(row -> !"d-2".equals(row.get("id"))).toList();
        after = after.stream().filter(row -> !"d-2".equals(row.get("id"))).toList();
      }
      assertThat(after).as(table.name()).isEqualTo(before);
    }
    // Sealed under the new key only: the old one opens nothing there.
    try (Connection c = connect(target); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT secret_encrypted FROM repositories")) {
      rows.next();
      assertThat(new SecretBox(NEW).isCurrent(rows.getString(1))).isTrue();
      assertThatThrownBy(() -> new SecretBox(OLD).decrypt(rows.getString(1)))
          .isInstanceOf(SecretBox.DecryptionException.class);
    }
    // The sequences go on after the restored rows.
    try (Connection c = connect(target); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT nextval('config_revision') > (SELECT max(revision) FROM applications)")) {
      rows.next();
      assertThat(rows.getBoolean(1)).isTrue();
    }

    // A second import into the same database is refused, and changes nothing.
    assertThatThrownBy(() -> Backup.restore(database(target), new SecretBox(NEW), new BlindIndex(NEW.current()),
        document)).hasMessageContaining("already holds Orca data");
  }

  @Test
  void shouldRefuseWhatItCannotRestoreFaithfully() throws Exception {
    byte[] document = Backup.export(database(SOURCE), new SecretBox(OLD));
    String text = new String(document, StandardCharsets.UTF_8);
    SharedPostgres.Database target = SharedPostgres.newDatabase();
    Backup.Database into = database(target);
    SecretBox box = new SecretBox(NEW);
    BlindIndex index = new BlindIndex(NEW.current());

    byte[] newer = text.replaceFirst("\"schemaVersion\":\"\\d+\"", "\"schemaVersion\":\"999\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Backup.restore(into, box, index, newer)).hasMessageContaining("made by a newer Orca");
    byte[] otherFormat = text.replace("\"version\":1", "\"version\":7").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Backup.restore(into, box, index, otherFormat)).hasMessageContaining("of version 7");
    assertThatThrownBy(() -> Backup.restore(into, box, index, "{\"not\":\"orca\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("does not hold an Orca export");
    assertThatThrownBy(() -> Backup.restore(into, box, index, "][".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BackupFile.UnreadableException.class);
    // A row that does not fit the schema it names: nothing of the import stays (one transaction).
    byte[] wrongColumn = text.replace("\"email\":\"ada@example.com\"", "\"emial\":\"ada@example.com\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Backup.restore(into, box, index, wrongColumn)).hasMessageContaining("users.emial");
    byte[] wrongType = text.replace("\"kafka_generation\":3", "\"kafka_generation\":\"three\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Backup.restore(into, box, index, wrongType))
        .hasMessageContaining("agents.kafka_generation is not a int4");
    try (Connection c = connect(target); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM agents)")) {
      rows.next();
      assertThat(rows.getLong(1)).isZero();
    }
    // What was refused left the database fit for the import that works.
    Backup.restore(into, box, index, document);
  }

  @Test
  void shouldRefuseToExportWhatItsKeysCannotOpen() {
    assertThatThrownBy(() -> Backup.export(database(SOURCE), new SecretBox(NEW)))
        .hasMessageContaining("opens with no key of APP_SECRET or ORCA_APP_SECRET_PREVIOUS");
  }

  /** The table's rows by its order, every sealed value opened, every value as JDBC reads it. */
  private static List<Map<String, Object>> rows(SharedPostgres.Database database, Backup.Table table, SecretBox box)
      throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = connect(database); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table.name() + " ORDER BY " + table.order())) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String column = meta.getColumnName(i);
          Object value = rs.getObject(i);
          if (table.sealed().contains(column) && value != null) {
            value = box.decrypt((String) value);
          } else if (value instanceof byte[] bytes) {
            value = java.util.HexFormat.of().formatHex(bytes);
          } else if (value instanceof java.sql.Array array) {
            value = List.of((Object[]) array.getArray());
          } else if (value != null && !(value instanceof String || value instanceof Number
              || value instanceof Boolean || value instanceof UUID)) {
            value = rs.getString(i);
          }
          row.put(column, value);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Backup.Database database(SharedPostgres.Database database) {
    return new Backup.Database(database.jdbcUrl(), database.user(), database.password());
  }

  private static Connection connect(SharedPostgres.Database database) throws Exception {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }
}
