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
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Public health: 200 {@code {"status":"up"}} when PostgreSQL and Kafka answer and every required
 * consumer group has a member, else 503 with the same shape naming what is down. Kafka Streams
 * applications' group id is their application.id.
 */
@RestController
class HealthController {

  static final String UP = "up";
  static final String DOWN = "down";
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final DatabaseClient db;
  private final Admin admin;
  private final List<String> requiredGroups;

  HealthController(DatabaseClient db, Admin admin, OrcaProperties properties) {
    this.db = db;
    this.admin = admin;
    this.requiredGroups = properties.health().requiredGroups();
  }

  record HealthJson(String status, Map<String, String> components) {}

  @GetMapping("/api/v1/health")
  Mono<ResponseEntity<HealthJson>> health() {
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
    return Flux.mergeSequential(database, kafka, groups)
        .collectList()
        .map(entries -> {
          Map<String, String> components = new LinkedHashMap<>();
          entries.forEach(e -> components.put(e.getKey(), e.getValue()));
          boolean up = components.values().stream().allMatch(UP::equals);
          return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
              .body(new HealthJson(up ? UP : DOWN, components));
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
