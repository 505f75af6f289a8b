package dev.orca.gateway.auth;

import java.time.Instant;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The users, sessions and api_tokens tables. Token columns only ever hold SHA-256 digests. */
@Component
class UserStore {

  /** Serialises first-user registration across gateway instances. */
  private static final long REGISTRATION_LOCK = 0x6f726361L;

  private final DatabaseClient db;
  private final TransactionalOperator tx;

  UserStore(DatabaseClient db, ReactiveTransactionManager transactions) {
    this.db = db;
    this.tx = TransactionalOperator.create(transactions);
  }

  record User(UUID id, String email, String name, String passwordHash, String role, Instant createdAt,
      boolean mustChangePassword) {}

  record TokenRow(UUID id, String name, Instant createdAt, Instant lastUsedAt) {}

  private static final String USER_COLUMNS = "id, email, name, password_hash, role, created_at, must_change_password";

  private static User user(io.r2dbc.spi.Readable row) {
    return new User(row.get("id", UUID.class), row.get("email", String.class), row.get("name", String.class),
        row.get("password_hash", String.class), row.get("role", String.class), row.get("created_at", Instant.class),
        Boolean.TRUE.equals(row.get("must_change_password", Boolean.class)));
  }

  private static CurrentUser current(io.r2dbc.spi.Readable row, boolean viaSession) {
    return new CurrentUser(row.get("id", UUID.class), row.get("role", String.class), viaSession,
        row.get("email", String.class), Boolean.TRUE.equals(row.get("must_change_password", Boolean.class)));
  }

  Mono<Boolean> anyUser() {
    return db.sql("SELECT EXISTS (SELECT 1 FROM users) AS present").map(row -> row.get("present", Boolean.class)).one();
  }

  /** Inserts the first user as admin; empty when a user already exists. */
  Mono<User> insertFirstUser(String email, String name, String passwordHash) {
    Instant now = Instant.now();
    User user = new User(UUID.randomUUID(), email, name, passwordHash, "admin", now, false);
    Mono<User> work = db.sql("SELECT pg_advisory_xact_lock(:lock)").bind("lock", REGISTRATION_LOCK).fetch().rowsUpdated()
        .then(anyUser())
        .flatMap(present -> present ? Mono.<User>empty() : db.sql("INSERT INTO users (id, email, name, password_hash, role,"
                + " created_at, updated_at) VALUES (:id, :email, :name, :hash, :role, :now, :now)")
            .bind("id", user.id()).bind("email", email).bind("name", name).bind("hash", passwordHash)
            .bind("role", user.role()).bind("now", now)
            .fetch().rowsUpdated().thenReturn(user));
    return tx.transactional(work);
  }

  /** The user with this email, when that email was confirmed (set at registration or by an admin). */
  Mono<User> findByConfirmedEmail(String email) {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users WHERE lower(email) = lower(:email) AND email_confirmed")
        .bind("email", email).map(UserStore::user).one();
  }

  Mono<User> findByEmail(String email) {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users WHERE lower(email) = lower(:email)")
        .bind("email", email).map(UserStore::user).one();
  }

  Mono<User> findById(UUID id) {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users WHERE id = :id").bind("id", id).map(UserStore::user).one();
  }

  /** The user's own change: an email they set themselves is not confirmed (OIDC will not link to it). */
  Mono<Void> updateProfile(UUID id, String email, String name) {
    return db.sql("UPDATE users SET email_confirmed = email_confirmed AND lower(email) = lower(:email), email = :email,"
            + " name = :name, updated_at = now() WHERE id = :id")
        .bind("id", id).bind("email", email).bind("name", name).fetch().rowsUpdated().then();
  }

  /** The user's own new password: a password change an admin asked for is done. */
  Mono<Void> updatePassword(UUID id, String passwordHash) {
    return db.sql("UPDATE users SET password_hash = :hash, must_change_password = false, updated_at = now() WHERE id = :id")
        .bind("id", id).bind("hash", passwordHash).fetch().rowsUpdated().then();
  }

  Mono<Void> createSession(UUID userId, byte[] tokenHash, Instant expiresAt, java.time.Duration idle) {
    return db.sql("DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < now() - make_interval(secs => :idle)")
        .bind("idle", (double) idle.toSeconds()).fetch().rowsUpdated()
        .then(db.sql("INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at)"
                + " VALUES (:id, :hash, :user, now(), :expires)")
            .bind("id", UUID.randomUUID()).bind("hash", tokenHash).bind("user", userId).bind("expires", expiresAt)
            .fetch().rowsUpdated())
        .then();
  }

  Mono<Void> deleteSession(byte[] tokenHash) {
    return db.sql("DELETE FROM sessions WHERE token_hash = :hash").bind("hash", tokenHash).fetch().rowsUpdated().then();
  }

  Mono<Void> deleteOtherSessions(UUID userId, byte[] keep) {
    return db.sql("DELETE FROM sessions WHERE user_id = :user AND token_hash <> :keep")
        .bind("user", userId).bind("keep", keep == null ? new byte[0] : keep).fetch().rowsUpdated().then();
  }

  /**
   * The user of a session that has neither outlived its absolute lifetime nor been idle longer
   * than {@code idle}; using it marks it seen.
   */
  Mono<CurrentUser> sessionUser(byte[] tokenHash, java.time.Duration idle) {
    return db.sql("UPDATE sessions s SET last_seen_at = now() FROM users u"
            + " WHERE s.token_hash = :hash AND u.id = s.user_id AND s.expires_at > now()"
            + " AND s.last_seen_at > now() - make_interval(secs => :idle)"
            + " RETURNING u.id, u.role, u.email, u.must_change_password")
        .bind("hash", tokenHash).bind("idle", (double) idle.toSeconds())
        .map(row -> current(row, true))
        .one();
  }

  /**
   * The token's user; the token's {@code last_used_at} is kept to the minute, so a script calling
   * the API many times a second costs a read each, not a write each.
   */
  Mono<CurrentUser> tokenUser(byte[] tokenHash) {
    return db.sql("WITH found AS (SELECT t.id AS token_id, t.last_used_at, u.id, u.role, u.email,"
            + " u.must_change_password FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :hash),"
            + " touched AS (UPDATE api_tokens SET last_used_at = now() WHERE id IN (SELECT token_id FROM found"
            + " WHERE last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))"
            + " SELECT id, role, email, must_change_password FROM found")
        .bind("hash", tokenHash)
        .map(row -> current(row, false))
        .one();
  }

  // ---- administration of users (AdminUserController) ----

  Flux<User> all() {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users ORDER BY created_at, id").map(UserStore::user).all();
  }

  Mono<User> insertUser(String email, String name, String passwordHash, String role) {
    Instant now = Instant.now();
    User user = new User(UUID.randomUUID(), email, name, passwordHash, role, now, false);
    return db.sql("INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
            + " VALUES (:id, :email, :name, :hash, :role, :now, :now)")
        .bind("id", user.id()).bind("email", email).bind("name", name).bind("hash", passwordHash)
        .bind("role", role).bind("now", now)
        .fetch().rowsUpdated().thenReturn(user);
  }

  /** What an admin changes of a user; null fields stay. A new password ends the user's sessions. */
  record UserChange(String email, String name, String role, String passwordHash) {}

  /**
   * Applies {@code change} under the lock that serialises changes of roles, so two admins
   * demoting each other at once cannot leave no admin: empty when the user does not exist, an
   * error {@link LastAdmin} when the change would leave no admin.
   */
  Mono<User> updateUser(UUID id, UserChange change) {
    Mono<User> work = lockAdmins()
        .then(findById(id))
        .flatMap(user -> {
          boolean demoted = change.role() != null && user.role().equals("admin") && !change.role().equals("admin");
          return (demoted ? otherAdmins(id) : Mono.just(1L)).flatMap(others -> {
            if (others == 0) {
              return Mono.error(new LastAdmin());
            }
            String email = change.email() == null ? user.email() : change.email();
            String name = change.name() == null ? user.name() : change.name();
            String role = change.role() == null ? user.role() : change.role();
            boolean reset = change.passwordHash() != null;
            // An email an admin sets is confirmed; a password an admin sets ends sessions and API tokens.
            var update = db.sql("UPDATE users SET email = :email, name = :name, role = :role,"
                    + " email_confirmed = email_confirmed OR :emailSet,"
                    + " password_hash = COALESCE(:hash, password_hash),"
                    + " must_change_password = must_change_password OR :reset, updated_at = now() WHERE id = :id")
                .bind("id", id).bind("email", email).bind("name", name).bind("role", role).bind("reset", reset)
                .bind("emailSet", change.email() != null);
            update = reset ? update.bind("hash", change.passwordHash()) : update.bindNull("hash", String.class);
            return update.fetch().rowsUpdated()
                .then(reset ? db.sql("DELETE FROM sessions WHERE user_id = :id").bind("id", id).fetch().rowsUpdated()
                    .then(db.sql("DELETE FROM api_tokens WHERE user_id = :id").bind("id", id).fetch().rowsUpdated())
                    : Mono.just(0L))
                .thenReturn(new User(id, email, name, user.passwordHash(), role, user.createdAt(),
                    user.mustChangePassword() || reset));
          });
        });
    return tx.transactional(work);
  }

  /** Deletes a user (their sessions and tokens with them); false when there was none; {@link LastAdmin} for the last admin. */
  Mono<Boolean> deleteUser(UUID id) {
    Mono<Boolean> work = lockAdmins()
        .then(findById(id))
        .flatMap(user -> (user.role().equals("admin") ? otherAdmins(id) : Mono.just(1L))
            .flatMap(others -> others == 0 ? Mono.<Boolean>error(new LastAdmin())
                : db.sql("DELETE FROM users WHERE id = :id").bind("id", id).fetch().rowsUpdated().map(n -> n > 0)))
        .defaultIfEmpty(false);
    return tx.transactional(work);
  }

  /** The change would leave no admin. */
  static final class LastAdmin extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LastAdmin() {
      super("the last admin cannot be demoted or deleted: make another user admin first", null, false, false);
    }
  }

  private Mono<Void> lockAdmins() {
    return db.sql("SELECT pg_advisory_xact_lock(:lock)").bind("lock", REGISTRATION_LOCK).fetch().rowsUpdated().then();
  }

  private Mono<Long> otherAdmins(UUID id) {
    return db.sql("SELECT count(*) AS n FROM users WHERE role = 'admin' AND id <> :id").bind("id", id)
        .map(row -> row.get("n", Long.class)).one();
  }

  Mono<Long> count() {
    return db.sql("SELECT count(*) AS n FROM users").map(row -> row.get("n", Long.class)).one();
  }

  Mono<TokenRow> createToken(UUID userId, String name, byte[] tokenHash) {
    TokenRow token = new TokenRow(UUID.randomUUID(), name, Instant.now(), null);
    return db.sql("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (:id, :user, :name, :hash, :at)")
        .bind("id", token.id()).bind("user", userId).bind("name", name).bind("hash", tokenHash)
        .bind("at", token.createdAt())
        .fetch().rowsUpdated().thenReturn(token);
  }

  Flux<TokenRow> tokens(UUID userId) {
    return db.sql("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = :user ORDER BY created_at")
        .bind("user", userId)
        .map(row -> new TokenRow(row.get("id", UUID.class), row.get("name", String.class),
            row.get("created_at", Instant.class), row.get("last_used_at", Instant.class)))
        .all();
  }

  Mono<Boolean> deleteToken(UUID userId, UUID id) {
    return db.sql("DELETE FROM api_tokens WHERE id = :id AND user_id = :user")
        .bind("id", id).bind("user", userId).fetch().rowsUpdated().map(count -> count > 0);
  }
}
