package dev.orca.launcher;

import dev.orca.gateway.auth.PasswordReset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code ./orca reset-password EMAIL}: a new one-time password for an account, printed once,
 * straight on the database Orca uses: {@code ORCA_DATABASE_URL}, else the embedded PostgreSQL in
 * {@code ORCA_DATA_DIR} (used where it runs when {@code ./orca up} is running, else started for
 * the change and stopped again).
 */
final class ResetPassword {

  private ResetPassword() {}

  static String run(Map<String, String> env, String email) {
    LocalSettings settings = LocalSettings.fromEnvironment(env);
    try {
      if (settings.databaseUrl() != null) {
        return reset(jdbc(settings.databaseUrl()), email);
      }
      Path cluster = settings.dataDir().resolve("postgres");
      if (!Files.exists(cluster.resolve("PG_VERSION"))) {
        throw new IllegalArgumentException("no Orca database in " + settings.dataDir()
            + ": ./orca up has not run with this ORCA_DATA_DIR");
      }
      String password = EmbeddedDatabase.password(cluster);
      Integer running = runningPort(cluster);
      if (running != null) {
        return reset(new Jdbc("jdbc:postgresql://127.0.0.1:" + running + "/" + Infrastructure.DATABASE_NAME,
            EmbeddedDatabase.USER, password), email);
      }
      try (EmbeddedDatabase database = EmbeddedDatabase.start(cluster, PortBook.freePort(), Infrastructure.DATABASE_NAME)) {
        return reset(new Jdbc(database.jdbcUrl(), EmbeddedDatabase.USER, database.password()), email);
      }
    } catch (SQLException e) {
      String why = e.getMessage() != null && e.getMessage().contains("must_change_password")
          ? "the database is from an older Orca: start this version once (./orca up) so it is upgraded, then retry"
          : e.getMessage();
      throw new IllegalStateException("cannot reset the password: " + why, e);
    }
  }

  private record Jdbc(String url, String user, String password) {}

  private static String reset(Jdbc jdbc, String email) throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", jdbc.user());
    if (jdbc.password() != null) {
      credentials.setProperty("password", jdbc.password());
    }
    try (Connection connection = DriverManager.getConnection(jdbc.url(), credentials)) {
      return PasswordReset.reset(connection, email);
    }
  }

  /** {@code postgresql://user:password@host:port/db}, the form ORCA_DATABASE_URL takes. */
  static Jdbc jdbc(String databaseUrl) {
    URI uri = URI.create(databaseUrl.trim());
    String[] userInfo = uri.getRawUserInfo() == null ? new String[] {"postgres"} : uri.getRawUserInfo().split(":", 2);
    String user = java.net.URLDecoder.decode(userInfo[0], java.nio.charset.StandardCharsets.UTF_8);
    String password = userInfo.length > 1
        ? java.net.URLDecoder.decode(userInfo[1], java.nio.charset.StandardCharsets.UTF_8) : null;
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    // The query (sslmode=require, say) goes along, as the gateway's own connection takes it.
    return new Jdbc("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath()
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), user, password);
  }

  /** The port of the PostgreSQL running on {@code cluster} (a running {@code ./orca up}), or null. */
  private static Integer runningPort(Path cluster) {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) {
        return null;
      }
      long pid = Long.parseLong(lines.get(0).trim());
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive ? Integer.parseInt(lines.get(3).trim()) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
