package dev.orca.launcher;

import dev.orca.gateway.auth.PasswordReset;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code ./orca reset-password EMAIL}: a new one-time password for an account, printed once,
 * straight on the database Orca uses ({@link LocalDatabase}).
 */
final class ResetPassword {

  private ResetPassword() {}

  static String run(Map<String, String> env, String email) {
    LocalSettings settings = LocalSettings.fromEnvironment(env);
    try (LocalDatabase database = LocalDatabase.open(settings, false)) {
      return reset(database.jdbc(), email);
    } catch (SQLException e) {
      String why = e.getMessage() != null && e.getMessage().contains("must_change_password")
          ? "the database is from an older Orca: start this version once (./orca up) so it is upgraded, then retry"
          : e.getMessage();
      throw new IllegalStateException("cannot reset the password: " + why, e);
    }
  }

  private static String reset(LocalDatabase.Jdbc jdbc, String email) throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", jdbc.user());
    if (jdbc.password() != null) {
      credentials.setProperty("password", jdbc.password());
    }
    try (Connection connection = DriverManager.getConnection(jdbc.url(), credentials)) {
      return PasswordReset.reset(connection, email);
    }
  }
}
