package dev.orca.gateway.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the projector counts, in the gateway's registry (served at {@code /metrics}): deployments by
 * outcome and reason with a duration histogram, syncs by outcome and trigger (polls among them),
 * events projected by type, and how far behind the broker the projector is (the age of the oldest
 * record of its last batch when that batch was committed).
 */
public final class ProjectionMetrics {

  private final MeterRegistry registry;
  private final AtomicLong lagMillis = new AtomicLong();

  public ProjectionMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("orca.projector.lag", lagMillis, value -> value.get() / 1000.0)
        .description("Age of the oldest record of the projector's last batch when it was committed")
        .baseUnit("seconds")
        .register(registry);
  }

  /** A registry nobody reads, for projectors made outside the gateway's configuration (tests). */
  static ProjectionMetrics none() {
    return new ProjectionMetrics(new SimpleMeterRegistry());
  }

  MeterRegistry registry() {
    return registry;
  }

  void deploymentEnded(String outcome, String reason, Duration took) {
    Counter.builder("orca.deployments").description("Deployments that ended, by outcome and reason")
        .tag("outcome", outcome).tag("reason", reason).register(registry).increment();
    if (took != null && !took.isNegative()) {
      Timer.builder("orca.deployment.duration").description("How long deployments took, from dispatch to their end")
          .tag("outcome", outcome).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(1))
          .register(registry).record(took);
    }
  }

  void syncEnded(String outcome, String trigger) {
    Counter.builder("orca.syncs").description("Repository syncs that ended, by outcome and trigger (polling: polls)")
        .tag("outcome", outcome).tag("trigger", trigger == null ? "unknown" : trigger).register(registry).increment();
  }

  void projected(String type) {
    Counter.builder("orca.projector.events").description("Records projected into PostgreSQL, by type")
        .tag("type", type).register(registry).increment();
  }

  void lag(Duration age) {
    lagMillis.set(Math.max(0, age.toMillis()));
  }
}
