package dev.orca.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WebhookRateLimitTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final WebhookRateLimit limit = new WebhookRateLimit(3, Duration.ofSeconds(1), now::get);

  @Test
  void shouldAllowABurstThenOnePerRefillPerRepository() {
    UUID repository = UUID.randomUUID();
    assertThat(limit.tryAcquire(repository)).isTrue();
    assertThat(limit.tryAcquire(repository)).isTrue();
    assertThat(limit.tryAcquire(repository)).isTrue();
    assertThat(limit.tryAcquire(repository)).isFalse();
    assertThat(limit.tryAcquire(UUID.randomUUID())).as("another repository has its own bucket").isTrue();

    now.addAndGet(Duration.ofMillis(999).toNanos());
    assertThat(limit.tryAcquire(repository)).isFalse();
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(limit.tryAcquire(repository)).isTrue();
    assertThat(limit.tryAcquire(repository)).isFalse();
  }

  @Test
  void shouldNeverHoldMoreThanItsBurstAfterAQuietSpell() {
    UUID repository = UUID.randomUUID();
    limit.tryAcquire(repository);
    now.addAndGet(Duration.ofHours(1).toNanos());
    int allowed = 0;
    while (limit.tryAcquire(repository)) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(3);
  }
}
