package dev.orca.gateway.webhook;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per repository: a burst of {@code capacity} deliveries, then one per
 * {@code refill}. Every delivery to an existing repository takes a token, authentic or not, so
 * a flood of forged requests costs the gateway a bounded amount of work per repository. Kept in
 * memory: each gateway instance limits what it receives. Only existing repositories get a bucket
 * (an unknown id is answered 404 first), so the map grows with the repositories, not the requests.
 */
final class WebhookRateLimit {

  static final int DEFAULT_CAPACITY = 60;
  static final Duration DEFAULT_REFILL = Duration.ofSeconds(1);

  private final int capacity;
  private final long refillNanos;
  private final LongSupplier nanoTime;
  private final Map<UUID, Bucket> buckets = new ConcurrentHashMap<>();

  WebhookRateLimit() {
    this(DEFAULT_CAPACITY, DEFAULT_REFILL, System::nanoTime);
  }

  WebhookRateLimit(int capacity, Duration refill, LongSupplier nanoTime) {
    this.capacity = capacity;
    this.refillNanos = refill.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Takes a token for the repository; false when its bucket is empty. */
  boolean tryAcquire(UUID repositoryId) {
    Bucket bucket = buckets.computeIfAbsent(repositoryId, id -> new Bucket(capacity, nanoTime.getAsLong()));
    synchronized (bucket) {
      long now = nanoTime.getAsLong();
      long earned = (now - bucket.updated) / refillNanos;
      if (earned > 0) {
        bucket.tokens = (int) Math.min(capacity, bucket.tokens + earned);
        bucket.updated += earned * refillNanos;
      }
      if (bucket.tokens == capacity) {
        bucket.updated = now;
      }
      if (bucket.tokens == 0) {
        return false;
      }
      bucket.tokens--;
      return true;
    }
  }

  /** Seconds until the repository's next token, for {@code Retry-After}. */
  long retryAfterSeconds() {
    return Math.max(1, Duration.ofNanos(refillNanos).toSeconds());
  }

  private static final class Bucket {
    int tokens;
    long updated;

    Bucket(int tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
