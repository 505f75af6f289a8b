package dev.orca.gateway.auth;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * {@code orca reset-password EMAIL}: the way back in for someone who forgot their password (the
 * last admin included), run by whoever runs Orca on its machine, straight on the database. It
 * gives the account a new random password, printed once, which must be replaced at the next
 * sign-in; it ends the account's sessions and API tokens and is written to the audit log.
 */
public final class PasswordReset {

  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordReset() {}

  /** The account's new password; {@link IllegalArgumentException} when no account has that email. */
  public static String reset(Connection connection, String email) throws SQLException {
    String password = newPassword();
    String hash = PasswordHasher.recommended().hash(password);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      UUID userId;
      try (PreparedStatement find = connection.prepareStatement("SELECT id FROM users WHERE lower(email) = lower(?)")) {
        find.setString(1, email.trim());
        try (ResultSet row = find.executeQuery()) {
          if (!row.next()) {
            throw new IllegalArgumentException("no user has the email " + email.trim());
          }
          userId = row.getObject(1, UUID.class);
        }
      }
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE users SET password_hash = ?, must_change_password = true, updated_at = now() WHERE id = ?")) {
        update.setString(1, hash);
        update.setObject(2, userId);
        update.executeUpdate();
      }
      for (String sql : new String[] {"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM api_tokens WHERE user_id = ?"}) {
        try (PreparedStatement delete = connection.prepareStatement(sql)) {
          delete.setObject(1, userId);
          delete.executeUpdate();
        }
      }
      try (PreparedStatement audit = connection.prepareStatement("INSERT INTO audit_log (actor_type, actor_name, action,"
          + " entity_type, entity_id, status) VALUES ('cli', ?, 'user.reset-password', 'user', ?, 200)")) {
        audit.setString(1, "orca reset-password (" + System.getProperty("user.name") + ")");
        audit.setString(2, userId.toString());
        audit.executeUpdate();
      }
      connection.commit();
      return password;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** 20 characters of letters and digits, with each class present: strong by the password rule. */
  static String newPassword() {
    while (true) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      }
      String candidate = out.toString();
      if (PasswordRule.isStrong(candidate)) {
        return candidate;
      }
    }
  }
}
