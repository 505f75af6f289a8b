package dev.orca.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Slows password guessing without letting anyone lock an account out: sign-in attempts are counted
 * (before the password is checked, and given back when it was right) per account and client
 * address together, and per address alone (one address trying many accounts). After {@value #FREE_FAILURES} failures of an account from an address (and
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

  /**
   * Counts a sign-in attempt for the pair and the address before its password is checked, in one
   * statement per key that either counts it or finds the key still waiting, so concurrent attempts
   * cannot all slip through the same check. Answers how long to wait (the attempt was not
   * counted), or zero when it may go on. {@link #succeeded} takes a successful one back.
   */
  Mono<Duration> attempt(String email, String address) {
    return db.sql("DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(secs => :forget)")
        .bind("forget", (double) FORGET_AFTER.toSeconds()).fetch().rowsUpdated()
        .then(count(addressKey(address), FREE_FAILURES_PER_ADDRESS))
        .flatMap(addressWait -> addressWait.isZero() ? count(pairKey(email, address), FREE_FAILURES)
            .flatMap(pairWait -> pairWait.isZero() ? Mono.just(Duration.ZERO)
                // refused for the pair: the address's count is given back
                : uncount(addressKey(address)).thenReturn(pairWait))
            : Mono.just(addressWait));
  }

  /** A right password: the pair starts again, and the address's count of this attempt is given back. */
  Mono<Void> succeeded(String email, String address) {
    return db.sql("DELETE FROM login_failures WHERE key = :pair").bind("pair", pairKey(email, address))
        .fetch().rowsUpdated()
        .then(uncount(addressKey(address)));
  }

  /**
   * One more attempt for {@code key} unless it is waiting: past {@code free} attempts, each makes
   * the next wait 2^(n - free - 1) s, at most 15 min. The row lock of the upsert orders concurrent
   * attempts. Answers the wait when the key was still waiting (nothing counted), else zero.
   */
  private Mono<Duration> count(String key, int free) {
    return db.sql("INSERT INTO login_failures AS f (key, failures, last_failure_at, blocked_until)"
            + " VALUES (:key, 1, now(), now())"
            + " ON CONFLICT (key) DO UPDATE SET"
            + " failures = CASE WHEN f.blocked_until > now() THEN f.failures ELSE f.failures + 1 END,"
            + " last_failure_at = CASE WHEN f.blocked_until > now() THEN f.last_failure_at ELSE now() END,"
            + " blocked_until = CASE WHEN f.blocked_until > now() THEN f.blocked_until"
            + " WHEN f.failures + 1 > :free"
            + " THEN now() + make_interval(secs => LEAST(power(2, LEAST(f.failures + 1 - :free - 1, 30)), :max))"
            + " ELSE now() END"
            + " RETURNING last_failure_at = now() AS counted,"
            + " extract(epoch FROM (blocked_until - now())) AS wait")
        .bind("key", key).bind("free", free).bind("max", (double) MAX_DELAY.toSeconds())
        .map(row -> Boolean.TRUE.equals(row.get("counted", Boolean.class)) ? Duration.ZERO
            : Duration.ofMillis(Math.max(1, Math.round(row.get("wait", Double.class) * 1000))))
        .one();
  }

  private Mono<Void> uncount(String key) {
    return db.sql("UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = :key").bind("key", key)
        .fetch().rowsUpdated().then();
  }

  /** The pair's key: a digest, so an email of any length fits the index. */
  private static String pairKey(String email, String address) {
    return "account:" + java.util.HexFormat.of().formatHex(Secrets.sha256(email.trim().toLowerCase(Locale.ROOT)))
        + "|" + (address == null ? "unknown" : address);
  }

  private static String addressKey(String address) {
    return "address:" + (address == null ? "unknown" : address);
  }
}
