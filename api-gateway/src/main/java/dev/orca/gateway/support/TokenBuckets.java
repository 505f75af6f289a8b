package dev.orca.gateway.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key: a burst of {@code capacity} requests, then one per {@code refill}. Kept
 * in memory: each gateway instance limits what it receives. Buckets that are full again are
 * dropped once there are more than {@value #MAX_KEYS}, so the map stays bounded whatever the keys.
 */
public class TokenBuckets<K> {

  static final int MAX_KEYS = 100_000;

  private final int capacity;
  private final long refillNanos;
  private final LongSupplier nanoTime;
  private final Map<K, Bucket> buckets = new ConcurrentHashMap<>();

  public TokenBuckets(int capacity, Duration refill, LongSupplier nanoTime) {
    if (capacity < 1 || refill.isNegative() || refill.isZero()) {
      throw new IllegalArgumentException("a token bucket needs a positive capacity and refill");
    }
    this.capacity = capacity;
    this.refillNanos = refill.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Takes a token for {@code key}; false when its bucket is empty. */
  public boolean tryAcquire(K key) {
    if (buckets.size() > MAX_KEYS) {
      buckets.values().removeIf(bucket -> {
        synchronized (bucket) {
          refill(bucket, nanoTime.getAsLong());
          return bucket.tokens == capacity;
        }
      });
    }
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, nanoTime.getAsLong()));
    synchronized (bucket) {
      refill(bucket, nanoTime.getAsLong());
      if (bucket.tokens == 0) {
        return false;
      }
      bucket.tokens--;
      return true;
    }
  }

  private void refill(Bucket bucket, long now) {
    long earned = (now - bucket.updated) / refillNanos;
    if (earned > 0) {
      bucket.tokens = (int) Math.min(capacity, bucket.tokens + earned);
      bucket.updated += earned * refillNanos;
    }
    if (bucket.tokens == capacity) {
      bucket.updated = now;
    }
  }

  /** Seconds until a bucket earns its next token, for {@code Retry-After}. */
  public long retryAfterSeconds() {
    return Math.max(1, (refillNanos + 999_999_999L) / 1_000_000_000L);
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
