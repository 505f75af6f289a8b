package dev.orca.gateway.webhook;

import dev.orca.gateway.repository.RepositoryIds;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.repository.SyncRequests;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ErrorBody;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.schemas.crypto.SecretBox;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/webhooks/repositories/{id}} (public: the provider proves itself with the
 * repository's webhook secret). A push answers 202 {@code {syncId}} once Kafka has the sync
 * request carrying the pushed SHA; anything that deploys nothing answers 204 and says why in
 * {@code X-Orca-Webhook}. Order of checks: 404 unknown repository, 429 over its rate, 400 not a
 * webhook repository, 413 body over 1 MiB (read no further), 401 signature, 400 malformed push.
 */
@RestController
@RequestMapping("/api/v1/webhooks")
class WebhookController {

  static final int MAX_BODY_BYTES = 1024 * 1024;
  static final String RESULT_HEADER = "X-Orca-Webhook";
  private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

  private final RepositoryViews repositories;
  private final SyncRequests syncRequests;
  private final WebhookDeliveries deliveries;
  private final SecretBox secrets;
  private final JsonMapper json;
  private final WebhookRateLimit rateLimit = new WebhookRateLimit();

  WebhookController(RepositoryViews repositories, SyncRequests syncRequests, WebhookDeliveries deliveries,
      SecretBox secrets, JsonMapper json) {
    this.repositories = repositories;
    this.syncRequests = syncRequests;
    this.deliveries = deliveries;
    this.secrets = secrets;
    this.json = json;
  }

  record SyncJson(String syncId) {}

  @PostMapping("/repositories/{id}")
  Mono<ResponseEntity<Object>> repository(@PathVariable String id, ServerHttpRequest request) {
    UUID repositoryId = RepositoryIds.parse(id);
    return repositories.webhookSettings(repositoryId)
        .switchIfEmpty(Mono.error(RepositoryIds::notFound))
        .flatMap(settings -> {
          if (!rateLimit.tryAcquire(repositoryId)) {
            log.warn("webhook for repository {} refused: over its rate", repositoryId);
            return Mono.just(ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(rateLimit.retryAfterSeconds()))
                .<Object>body(new ErrorBody("too many webhook deliveries for this repository; retry later")));
          }
          if (!"webhook".equals(settings.syncType())) {
            return Mono.error(ApiException.badRequest("this repository does not sync by webhook (its syncType is "
                + settings.syncType() + ")"));
          }
          return body(request).flatMap(bytes -> handle(repositoryId, settings, request.getHeaders(), bytes));
        });
  }

  private Mono<ResponseEntity<Object>> handle(UUID repositoryId, RepositoryViews.WebhookSettings settings,
      HttpHeaders headers, byte[] body) {
    WebhookProvider provider = WebhookProvider.of(settings.provider());
    String secret = settings.webhookSecretEncrypted() == null ? null
        : secrets.decrypt(settings.webhookSecretEncrypted());
    if (secret == null || secret.isEmpty() || !provider.authentic(headers, body, secret)) {
      log.info("webhook for repository {} refused: {}", repositoryId, provider.badSignature());
      return Mono.error(new ApiException(HttpStatus.UNAUTHORIZED, provider.badSignature()));
    }
    JsonNode payload = WebhookPayload.read(json, headers, body);
    Delivery delivery = provider.read(headers, payload);
    if (delivery instanceof Delivery.Ignored ignored) {
      log.info("webhook for repository {} deploys nothing: {}", repositoryId, ignored.reason());
      return Mono.just(ResponseEntity.noContent().header(RESULT_HEADER, headerSafe("ignored: " + ignored.reason()))
          .build());
    }
    List<Delivery.Head> heads = ((Delivery.Push) delivery).heads();
    String syncId = SyncRequests.newSyncId();
    String deliveryId = provider.deliveryId(headers, payload);
    if (deliveryId == null || deliveryId.isBlank()) {
      return publish(repositoryId, provider, heads, syncId).map(WebhookController::accepted);
    }
    return deliveries.claim(repositoryId, deliveryId, syncId).flatMap(owner -> {
      if (!owner.equals(syncId)) {
        log.info("webhook delivery {} for repository {} was accepted before as sync {}", deliveryId, repositoryId,
            owner);
        return Mono.just(ResponseEntity.status(HttpStatus.ACCEPTED)
            .header(RESULT_HEADER, "redelivery: no second sync").body(new SyncJson(owner)));
      }
      return publish(repositoryId, provider, heads, syncId)
          .onErrorResume(e -> deliveries.release(repositoryId, deliveryId, syncId).then(Mono.error(e)))
          .map(WebhookController::accepted);
    });
  }

  /** One sync request per pushed branch; the first carries the answer's sync id. */
  private Mono<String> publish(UUID repositoryId, WebhookProvider provider, List<Delivery.Head> heads, String syncId) {
    return Flux.range(0, heads.size())
        .concatMap(i -> syncRequests.request(repositoryId, i == 0 ? syncId : SyncRequests.newSyncId(),
            SyncTrigger.WEBHOOK, provider.actor(), heads.get(i).branch(), heads.get(i).commit()))
        .collectList()
        .flatMap(ids -> ids.isEmpty() ? Mono.error(RepositoryIds.notFound()) : Mono.just(ids.get(0)))
        .doOnNext(id -> log.info("webhook for repository {} accepted as sync {}: {}", repositoryId, id, heads));
  }

  private static ResponseEntity<Object> accepted(String syncId) {
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(new SyncJson(syncId));
  }

  /** The raw body, refused with 413 as soon as it passes 1 MiB (nothing more is read). */
  static Mono<byte[]> body(ServerHttpRequest request) {
    return DataBufferUtils.join(request.getBody(), MAX_BODY_BYTES)
        .map(buffer -> {
          try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
          } finally {
            DataBufferUtils.release(buffer);
          }
        })
        .defaultIfEmpty(new byte[0]);
  }

  /** Header values are ASCII without control characters. */
  static String headerSafe(String value) {
    StringBuilder safe = new StringBuilder(Math.min(value.length(), 300));
    for (int i = 0; i < value.length() && safe.length() < 300; i++) {
      char c = value.charAt(i);
      safe.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return safe.toString();
  }
}
