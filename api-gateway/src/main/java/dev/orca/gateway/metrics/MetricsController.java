package dev.orca.gateway.metrics;

import dev.orca.gateway.auth.ApiTokens;
import dev.orca.gateway.web.ApiException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /metrics} on the gateway's HTTP port, in Prometheus's text format: readable with
 * {@code Authorization: Bearer <token>} where the token is the scrape token
 * ({@code ORCA_METRICS_TOKEN}, for Prometheus's {@code bearer_token}) or an admin's API token;
 * never public (401 without a valid token, 403 for a token of a user who is not an admin).
 */
@RestController
class MetricsController {

  private static final MediaType PROMETHEUS = MediaType.parseMediaType("text/plain; version=0.0.4; charset=utf-8");

  private final PrometheusMeterRegistry registry;
  private final ScrapeGauges gauges;
  private final ApiTokens tokens;
  private final byte[] scrapeToken;

  MetricsController(PrometheusMeterRegistry registry, ScrapeGauges gauges, ApiTokens tokens,
      @Value("${orca.metrics-token:}") String scrapeToken) {
    this.registry = registry;
    this.gauges = gauges;
    this.tokens = tokens;
    this.scrapeToken = scrapeToken == null || scrapeToken.isBlank() ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
  }

  @GetMapping("/metrics")
  Mono<ResponseEntity<String>> metrics(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
    String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    if (token == null || token.isEmpty()) {
      return Mono.error(unauthorized());
    }
    Mono<Boolean> allowed = scrapeToken != null && MessageDigest.isEqual(scrapeToken, token.getBytes(StandardCharsets.UTF_8))
        ? Mono.just(true)
        : tokens.user(token)
            .switchIfEmpty(Mono.error(MetricsController::unauthorized))
            .flatMap(user -> user.admin() ? Mono.just(true)
                : Mono.error(ApiException.forbidden("metrics are for admins and the scrape token")));
    return allowed
        .then(gauges.refresh())
        .then(Mono.fromCallable(() -> ResponseEntity.ok().contentType(PROMETHEUS).body(registry.scrape())));
  }

  private static ApiException unauthorized() {
    return new ApiException(HttpStatus.UNAUTHORIZED,
        "authentication required: Authorization: Bearer <the scrape token or an admin's API token>");
  }
}
