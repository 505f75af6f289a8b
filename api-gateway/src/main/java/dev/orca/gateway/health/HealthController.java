package dev.orca.gateway.health;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Public health: 200 {@code {"status":"up", components}} when every {@link HealthChecks} check is up, else 503. */
@RestController
class HealthController {

  private final HealthChecks checks;

  HealthController(HealthChecks checks) {
    this.checks = checks;
  }

  @GetMapping("/api/v1/health")
  Mono<ResponseEntity<HealthChecks.HealthJson>> health() {
    return checks.check().map(health -> ResponseEntity.status(health.up() ? HttpStatus.OK
        : HttpStatus.SERVICE_UNAVAILABLE).body(health));
  }
}
