package dev.orca.agent.events;

import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.RemoveResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The agent's own meters, from what it reports once the broker has it: deployments by outcome
 * ({@code orca_agent_deployments_total{outcome, failure_kind}}), removals, image updates found,
 * heartbeats, and its applications by their last reported health ({@code
 * orca_agent_applications{health}}). Counting what was written, not what was attempted, the
 * figures agree with what Orca shows.
 */
public final class AgentMetrics implements Consumer<SpecificRecord> {

  private final MeterRegistry registry;
  private final Map<String, HealthStatus> health = new ConcurrentHashMap<>();
  private final Counter heartbeats;
  private final Counter imageUpdates;

  public AgentMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.heartbeats = Counter.builder("orca.agent.heartbeats").description("Heartbeats the broker acknowledged")
        .register(registry);
    this.imageUpdates = Counter.builder("orca.agent.image.updates")
        .description("Applications whose images changed under their tags, found by the image check").register(registry);
    for (HealthStatus status : HealthStatus.values()) {
      Gauge.builder("orca.agent.applications", health, all -> all.values().stream().filter(status::equals).count())
          .tag("health", lower(status))
          .description("The agent's applications by the health it last reported")
          .register(registry);
    }
  }

  @Override
  public void accept(SpecificRecord record) {
    if (record instanceof DeployResult result) {
      Counter.builder("orca.agent.deployments")
          .tag("outcome", result.getSuccess() ? "success" : "failed")
          .tag("failure_kind", lower(result.getFailureKind()))
          .description("Deployments the agent ran, by outcome")
          .register(registry).increment();
    } else if (record instanceof HealthReport report) {
      health.put(report.getApplicationId(), report.getHealth());
    } else if (record instanceof RemoveResult removal) {
      if (removal.getSuccess()) {
        health.remove(removal.getApplicationId());
      }
      Counter.builder("orca.agent.removals").tag("outcome", removal.getSuccess() ? "success" : "failed")
          .description("Applications the agent removed, by outcome").register(registry).increment();
    } else if (record instanceof Heartbeat) {
      heartbeats.increment();
    } else if (record instanceof ImageUpdateFound) {
      imageUpdates.increment();
    }
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
