package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseIntegrationTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldKeepTablesAndRowsAcrossRestart() throws Exception {
    Path pgDir = dataDir.resolve("postgres");
    int port = PortBook.freePort();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgDir, port, "orca")) {
      assertThat(db.url()).isEqualTo("postgresql://postgres:" + db.password() + "@127.0.0.1:" + port + "/orca");
      try (Connection c = connect(db); Statement s = c.createStatement()) {
        try (ResultSet fsync = s.executeQuery("SHOW fsync")) {
          fsync.next();
          assertThat(fsync.getString(1)).as("durable writes, unlike the library's test defaults").isEqualTo("on");
        }
        s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
        s.execute("INSERT INTO notes VALUES (1, 'kept')");
      }
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgDir, PortBook.freePort(), "orca");
         Connection c = connect(db);
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT body FROM notes WHERE id = 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("kept");
    }
  }

  @Test
  void shouldLetNoOneInWithoutThePasswordKeptForTheOwnerAlone() throws Exception {
    Path pgDir = dataDir.resolve("postgres");
    String password;
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgDir, PortBook.freePort(), "orca")) {
      password = db.password();
      assertThat(password).hasSizeGreaterThanOrEqualTo(32);
      assertThat(java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("postgres.password")))
          .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      for (String wrong : List.of("", "postgres", password + "x")) {
        assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, wrong).close())
            .as("password %s", wrong).isInstanceOf(java.sql.SQLException.class);
      }
      // The superuser without a password, as initdb left it (trust).
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl() + "?user=postgres").close())
          .isInstanceOf(java.sql.SQLException.class);
      assertThat(java.nio.file.Files.readString(pgDir.resolve("pg_hba.conf"))).doesNotContain("trust");
      connect(db).close();
    }
    // Kept across restarts: the same password lets the next start in.
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgDir, PortBook.freePort(), "orca")) {
      assertThat(db.password()).isEqualTo(password);
      connect(db).close();
    }
    // Lost, it is never silently replaced by one the cluster does not know: the start says what to do.
    java.nio.file.Files.delete(dataDir.resolve("postgres.password"));
    assertThatThrownBy(() -> EmbeddedDatabase.start(pgDir, PortBook.freePort(), "orca"))
        .hasMessageContaining("postgres.password is missing").hasMessageContaining("restore it");
    assertThat(dataDir.resolve("postgres.password")).doesNotExist();
  }

  @Test
  void shouldRejectADatabaseNameThatIsNotAPlainIdentifier() {
    assertThatThrownBy(
            () -> EmbeddedDatabase.start(dataDir.resolve("pg"), PortBook.freePort(), "orca; DROP"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Connection connect(EmbeddedDatabase db) throws Exception {
    return DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password());
  }
}
