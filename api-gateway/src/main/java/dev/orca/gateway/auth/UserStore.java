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

  record User(UUID id, String email, String name, String passwordHash, String role, Instant createdAt) {}

  record TokenRow(UUID id, String name, Instant createdAt, Instant lastUsedAt) {}

  private static final String USER_COLUMNS = "id, email, name, password_hash, role, created_at";

  private static User user(io.r2dbc.spi.Readable row) {
    return new User(row.get("id", UUID.class), row.get("email", String.class), row.get("name", String.class),
        row.get("password_hash", String.class), row.get("role", String.class), row.get("created_at", Instant.class));
  }

  Mono<Boolean> anyUser() {
    return db.sql("SELECT EXISTS (SELECT 1 FROM users) AS present").map(row -> row.get("present", Boolean.class)).one();
  }

  /** Inserts the first user as admin; empty when a user already exists. */
  Mono<User> insertFirstUser(String email, String name, String passwordHash) {
    Instant now = Instant.now();
    User user = new User(UUID.randomUUID(), email, name, passwordHash, "admin", now);
    Mono<User> work = db.sql("SELECT pg_advisory_xact_lock(:lock)").bind("lock", REGISTRATION_LOCK).fetch().rowsUpdated()
        .then(anyUser())
        .flatMap(present -> present ? Mono.<User>empty() : db.sql("INSERT INTO users (id, email, name, password_hash, role,"
                + " created_at, updated_at) VALUES (:id, :email, :name, :hash, :role, :now, :now)")
            .bind("id", user.id()).bind("email", email).bind("name", name).bind("hash", passwordHash)
            .bind("role", user.role()).bind("now", now)
            .fetch().rowsUpdated().thenReturn(user));
    return tx.transactional(work);
  }

  Mono<User> findByEmail(String email) {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users WHERE lower(email) = lower(:email)")
        .bind("email", email).map(UserStore::user).one();
  }

  Mono<User> findById(UUID id) {
    return db.sql("SELECT " + USER_COLUMNS + " FROM users WHERE id = :id").bind("id", id).map(UserStore::user).one();
  }

  Mono<Void> updateProfile(UUID id, String email, String name) {
    return db.sql("UPDATE users SET email = :email, name = :name, updated_at = now() WHERE id = :id")
        .bind("id", id).bind("email", email).bind("name", name).fetch().rowsUpdated().then();
  }

  Mono<Void> updatePassword(UUID id, String passwordHash) {
    return db.sql("UPDATE users SET password_hash = :hash, updated_at = now() WHERE id = :id")
        .bind("id", id).bind("hash", passwordHash).fetch().rowsUpdated().then();
  }

  Mono<Void> createSession(UUID userId, byte[] tokenHash, Instant expiresAt) {
    return db.sql("DELETE FROM sessions WHERE expires_at < now()").fetch().rowsUpdated()
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

  Mono<CurrentUser> sessionUser(byte[] tokenHash) {
    return db.sql("SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id"
            + " WHERE s.token_hash = :hash AND s.expires_at > now()")
        .bind("hash", tokenHash)
        .map(row -> new CurrentUser(row.get("id", UUID.class), row.get("role", String.class), true))
        .one();
  }

  Mono<CurrentUser> tokenUser(byte[] tokenHash) {
    return db.sql("UPDATE api_tokens t SET last_used_at = now() FROM users u"
            + " WHERE t.token_hash = :hash AND u.id = t.user_id RETURNING u.id, u.role")
        .bind("hash", tokenHash)
        .map(row -> new CurrentUser(row.get("id", UUID.class), row.get("role", String.class), false))
        .one();
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
