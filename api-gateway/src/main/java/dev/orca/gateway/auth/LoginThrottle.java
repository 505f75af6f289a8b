package dev.orca.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Limits failed logins per email and per client address within a sliding window, so passwords
 * cannot be guessed at the speed of the server. Kept in memory: each gateway instance counts its
 * own attempts, which bounds guessing per instance, not across a fleet.
 */
@Component
class LoginThrottle {

  static final Duration WINDOW = Duration.ofMinutes(15);
  static final int MAX_FAILURES_PER_EMAIL = 10;
  static final int MAX_FAILURES_PER_ADDRESS = 100;
  private static final int MAX_TRACKED_KEYS = 100_000;

  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  boolean blocked(String email, String address) {
    Instant now = Instant.now();
    return count(emailKey(email), now) >= MAX_FAILURES_PER_EMAIL
        || (address != null && count(addressKey(address), now) >= MAX_FAILURES_PER_ADDRESS);
  }

  void failed(String email, String address) {
    if (failures.size() > MAX_TRACKED_KEYS) {
      Instant now = Instant.now();
      failures.keySet().removeIf(key -> count(key, now) == 0);
    }
    Instant now = Instant.now();
    record(emailKey(email), now);
    if (address != null) {
      record(addressKey(address), now);
    }
  }

  void succeeded(String email) {
    failures.remove(emailKey(email));
  }

  private void record(String key, Instant now) {
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(now);
    }
  }

  private int count(String key, Instant now) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(WINDOW))) {
        times.removeFirst();
      }
      return times.size();
    }
  }

  private static String emailKey(String email) {
    return "email:" + email.trim().toLowerCase(Locale.ROOT);
  }

  private static String addressKey(String address) {
    return "address:" + address;
  }
}
