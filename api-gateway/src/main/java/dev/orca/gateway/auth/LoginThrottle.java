package dev.orca.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Slows password guessing without letting anyone lock an account out: failed sign-ins are counted
 * per account and client address together, and per address alone (one address trying many
 * accounts). After {@value #FREE_FAILURES} failures of an account from an address (and
 * {@value #FREE_FAILURES_PER_ADDRESS} from an address), each further one makes that pair (or
 * address) wait twice as long as the last, from 1 s up to 15 minutes; other addresses still sign
 * in to the same account at once. A success clears its pair; a day without failures forgets a
 * key. Kept in the database, so a restart or another gateway instance does not reset it.
 */
@Component
class LoginThrottle {

  static final int FREE_FAILURES = 5;
  static final int FREE_FAILURES_PER_ADDRESS = 50;
  static final Duration MAX_DELAY = Duration.ofMinutes(15);
  static final Duration FORGET_AFTER = Duration.ofHours(24);

  private final DatabaseClient db;

  LoginThrottle(DatabaseClient db) {
    this.db = db;
  }

  /** How long this pair (or address) must still wait before its next attempt; zero when it may try now. */
  Mono<Duration> wait(String email, String address) {
    return db.sql("SELECT max(blocked_until) AS until FROM login_failures WHERE key IN (:pair, :address)"
            + " AND blocked_until > now()")
        .bind("pair", pairKey(email, address)).bind("address", addressKey(address))
        .map(row -> java.util.Optional.ofNullable(row.get("until", Instant.class)))
        .one()
        .map(until -> until.map(t -> Duration.between(Instant.now(), t)).filter(d -> !d.isNegative())
            .orElse(Duration.ZERO))
        .defaultIfEmpty(Duration.ZERO);
  }

  Mono<Void> failed(String email, String address) {
    return db.sql("DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(secs => :forget)")
        .bind("forget", (double) FORGET_AFTER.toSeconds()).fetch().rowsUpdated()
        .then(count(pairKey(email, address), FREE_FAILURES))
        .then(count(addressKey(address), FREE_FAILURES_PER_ADDRESS));
  }

  Mono<Void> succeeded(String email, String address) {
    return db.sql("DELETE FROM login_failures WHERE key = :pair").bind("pair", pairKey(email, address))
        .fetch().rowsUpdated().then();
  }

  /** One more failure for {@code key}; past {@code free} failures it waits 2^(n - free) s, at most 15 min. */
  private Mono<Void> count(String key, int free) {
    return db.sql("INSERT INTO login_failures AS f (key, failures, last_failure_at, blocked_until)"
            + " VALUES (:key, 1, now(), now())"
            + " ON CONFLICT (key) DO UPDATE SET failures = f.failures + 1, last_failure_at = now(),"
            + " blocked_until = CASE WHEN f.failures + 1 > :free"
            + " THEN now() + make_interval(secs => LEAST(power(2, LEAST(f.failures + 1 - :free - 1, 30)), :max))"
            + " ELSE now() END")
        .bind("key", key).bind("free", free).bind("max", (double) MAX_DELAY.toSeconds())
        .fetch().rowsUpdated().then();
  }

  private static String pairKey(String email, String address) {
    return "account:" + email.trim().toLowerCase(Locale.ROOT) + "|" + (address == null ? "unknown" : address);
  }

  private static String addressKey(String address) {
    return "address:" + (address == null ? "unknown" : address);
  }
}
