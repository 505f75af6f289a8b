package dev.orca.gateway.webhook;

import dev.orca.gateway.support.TokenBuckets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * A token bucket per repository (or application, for image webhooks): a burst of
 * {@code capacity} deliveries, then one per {@code refill}. Every delivery to an existing
 * repository takes a token, authentic or not, so a flood of forged requests costs the gateway a
 * bounded amount of work per repository. Only existing repositories get a bucket (an unknown id
 * is answered 404 first), so the map grows with the repositories, not the requests.
 */
final class WebhookRateLimit extends TokenBuckets<UUID> {

  static final int DEFAULT_CAPACITY = 60;
  static final Duration DEFAULT_REFILL = Duration.ofSeconds(1);

  WebhookRateLimit() {
    this(DEFAULT_CAPACITY, DEFAULT_REFILL, System::nanoTime);
  }

  WebhookRateLimit(int capacity, Duration refill, LongSupplier nanoTime) {
    super(capacity, refill, nanoTime);
  }
}
