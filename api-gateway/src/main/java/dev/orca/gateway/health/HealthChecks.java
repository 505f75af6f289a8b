package dev.orca.gateway.health;

import dev.orca.gateway.system.OrcaProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import dev.orca.gateway.outbox.OutboxRelay;
import dev.orca.gateway.projection.Projector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What {@code GET /api/v1/health} and the admins' system page report: up when PostgreSQL and Kafka answer, this gateway's
 * projector and outbox relay work (the projector's thread polls; the relay's last pass went
 * through within a minute) and every required consumer group has a member (the stream
 * processors: a Kafka Streams application's group id is its application.id), else down, naming
 * what is.
 */
@Component
public class HealthChecks {

  static final String UP = "up";
  static final String DOWN = "down";
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final DatabaseClient db;
  private final Admin admin;
  private final List<String> requiredGroups;
  private final Projector projector;
  private final OutboxRelay outbox;

  HealthChecks(DatabaseClient db, Admin admin, OrcaProperties properties, ObjectProvider<Projector> projector,
      OutboxRelay outbox) {
    this.db = db;
    this.admin = admin;
    this.requiredGroups = properties.health().requiredGroups();
    this.projector = projector.getIfAvailable();
    this.outbox = outbox;
  }

  /** {@code status} up or down, and each component's. */
  public record HealthJson(String status, Map<String, String> components) {

    public boolean up() {
      return UP.equals(status);
    }
  }

  /** Every check, each bounded by a 2 s timeout. */
  public Mono<HealthJson> check() {
    Mono<Map.Entry<String, String>> database = check("database",
        db.sql("SELECT 1 AS one").map(row -> row.get("one", Integer.class)).one().then());
    Mono<Map.Entry<String, String>> kafka = check("kafka",
        Mono.fromFuture(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(1800)).clusterId()
            .toCompletionStage().toCompletableFuture()).then());
    Flux<Map.Entry<String, String>> groups = requiredGroups.isEmpty() ? Flux.empty() : Mono.fromFuture(() -> admin
            .describeConsumerGroups(requiredGroups, new DescribeConsumerGroupsOptions().timeoutMs(1800)).all()
            .toCompletionStage().toCompletableFuture())
        .timeout(CHECK_TIMEOUT)
        .map(descriptions -> requiredGroups.stream().map(group -> entry(group, hasMember(descriptions.get(group)))).toList())
        .onErrorResume(e -> Mono.just(requiredGroups.stream().map(group -> entry(group, false)).toList()))
        .flatMapMany(Flux::fromIterable);
    // This gateway's own workers: the projector (when it runs here) and the outbox relay.
    Flux<Map.Entry<String, String>> workers = Flux.defer(() -> Flux.fromIterable(projector == null
        ? List.of(entry("outbox", outbox.alive()))
        : List.of(entry("projector", projector.alive()), entry("outbox", outbox.alive()))));
    return Flux.mergeSequential(database, kafka, workers, groups)
        .collectList()
        .map(entries -> {
          Map<String, String> components = new LinkedHashMap<>();
          entries.forEach(e -> components.put(e.getKey(), e.getValue()));
          boolean up = components.values().stream().allMatch(UP::equals);
          return new HealthJson(up ? UP : DOWN, components);
        });
  }

  private static boolean hasMember(ConsumerGroupDescription description) {
    return description != null && !description.members().isEmpty();
  }

  private static Mono<Map.Entry<String, String>> check(String name, Mono<Void> probe) {
    return probe.timeout(CHECK_TIMEOUT)
        .thenReturn(entry(name, true))
        .onErrorResume(e -> Mono.just(entry(name, false)));
  }

  private static Map.Entry<String, String> entry(String name, boolean up) {
    return Map.entry(name, up ? UP : DOWN);
  }
}
