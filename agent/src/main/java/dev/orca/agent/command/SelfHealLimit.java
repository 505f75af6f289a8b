package dev.orca.agent.command;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps self-heal from flapping: per application at most {@value #MAX_PER_HOUR} re-applies in any
 * hour, the first at once and each next one only after twice the previous wait (10 s, 20 s, 40 s…).
 */
final class SelfHealLimit {

  static final int MAX_PER_HOUR = 5;
  private static final Duration FIRST_WAIT = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofHours(1);

  private final Map<String, Deque<Instant>> attempts = new HashMap<>();

  synchronized boolean allow(String applicationId, Instant now) {
    Deque<Instant> recent = attempts.computeIfAbsent(applicationId, k -> new ArrayDeque<>());
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(WINDOW))) {
      recent.pollFirst();
    }
    if (recent.size() >= MAX_PER_HOUR) {
      return false;
    }
    if (!recent.isEmpty()) {
      Duration wait = FIRST_WAIT.multipliedBy(1L << (recent.size() - 1));
      if (now.isBefore(recent.peekLast().plus(wait))) {
        return false;
      }
    }
    recent.addLast(now);
    return true;
  }
}
