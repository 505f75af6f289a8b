package dev.orca.gateway.webhook;

import dev.orca.gateway.application.ApplicationViews;
import dev.orca.gateway.imageupdate.ImageUpdates;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ErrorBody;
import dev.orca.schemas.crypto.SecretBox;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/webhooks/images/{applicationId}} (public: the registry proves itself with the
 * application's image webhook secret, given as {@code Authorization: Bearer <secret>}, as Harbor's
 * auth header {@code Authorization: <secret>}, as GitHub's {@code X-Hub-Signature-256}, or as
 * {@code ?token=<secret>} for Docker Hub, which cannot sign; GitHub's body may be JSON or
 * form-encoded, see {@link WebhookPayload}). A push of an image the application runs answers 202
 * {@code {deploymentId}}: an image-update deployment, shared by the pushes of a burst
 * ({@link ImageUpdates}). A push of another image, a ping or another event answers 204 with
 * {@code X-Orca-Webhook} saying why. Order of checks: 404 unknown application, 429 over its rate,
 * 400 no secret set, 413 body over 1 MiB, 401 secret, 400 malformed body, 409 being removed, 404
 * deleted meanwhile.
 */
@RestController
@RequestMapping("/api/v1/webhooks")
class ImageWebhookController {

  private static final Logger log = LoggerFactory.getLogger(ImageWebhookController.class);
  static final String BAD_SECRET = "the image webhook secret does not match (send it as Authorization: Bearer,"
      + " as the Authorization header, as ?token= or as a GitHub X-Hub-Signature-256)";

  private final ApplicationViews applications;
  private final ImageUpdates imageUpdates;
  private final SecretBox secrets;
  private final JsonMapper json;
  private final WebhookRateLimit rateLimit = new WebhookRateLimit();

  ImageWebhookController(ApplicationViews applications, ImageUpdates imageUpdates, SecretBox secrets, JsonMapper json) {
    this.applications = applications;
    this.imageUpdates = imageUpdates;
    this.secrets = secrets;
    this.json = json;
  }

  record DeploymentJson(String deploymentId) {}

  @PostMapping("/images/{id}")
  Mono<ResponseEntity<Object>> image(@PathVariable String id, ServerHttpRequest request) {
    UUID applicationId = applicationId(id);
    return applications.imageWebhookTarget(applicationId)
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
        .flatMap(target -> {
          if (!rateLimit.tryAcquire(applicationId)) {
            log.warn("image webhook for application {} refused: over its rate", applicationId);
            return Mono.just(ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(rateLimit.retryAfterSeconds()))
                .<Object>body(new ErrorBody("too many webhook deliveries for this application; retry later")));
          }
          if (target.secretEncrypted() == null) {
            return Mono.error(ApiException.badRequest("this application has no image webhook secret;"
                + " set imageWebhookSecret on it first"));
          }
          return WebhookController.body(request).flatMap(body -> handle(target, request, body));
        });
  }

  private Mono<ResponseEntity<Object>> handle(ApplicationViews.ImageWebhookTarget target, ServerHttpRequest request,
      byte[] body) {
    String secret = secrets.decrypt(target.secretEncrypted());
    if (!authentic(request, body, secret)) {
      log.info("image webhook for application {} refused: bad secret", target.id());
      return Mono.error(new ApiException(HttpStatus.UNAUTHORIZED, BAD_SECRET));
    }
    ImagePush push = ImagePush.read(request.getHeaders(), WebhookPayload.read(json, request.getHeaders(), body));
    if (push instanceof ImagePush.Ignored ignored) {
      log.info("image webhook for application {} updates nothing: {}", target.id(), ignored.reason());
      return Mono.just(ignored("ignored: " + ignored.reason()));
    }
    ImagePush.Pushed pushed = (ImagePush.Pushed) push;
    Optional<String> unused = ImageReferences.unused(pushed.images(), target.composeFile());
    if (unused.isPresent()) {
      log.info("image webhook for application {} updates nothing: it does not run {}", target.id(), unused.get());
      return Mono.just(ignored("ignored: the application does not run " + unused.get()));
    }
    if (target.beingRemoved()) {
      return Mono.error(ApiException.conflict("application is being removed"));
    }
    if (target.pinned()) {
      log.info("image webhook for application {} updates nothing: it is pinned by a rollback", target.id());
      return Mono.just(ignored("ignored: the application is pinned by a rollback; unpin it to take new images"));
    }
    // The application may be deleted after it was read: the insert then breaks its foreign key.
    return imageUpdates.request(target.id(), "webhook:image:" + pushed.provider())
        .onErrorMap(ImageWebhookController::applicationGone, e -> ApiException.notFound("application not found"))
        .switchIfEmpty(Mono.error(() -> ApiException.notFound("application not found")))
        .doOnNext(deploymentId -> log.info("image webhook ({}) for application {} accepted as image update {}: {}",
            pushed.provider(), target.id(), deploymentId, pushed.images()))
        .map(deploymentId -> ResponseEntity.status(HttpStatus.ACCEPTED).<Object>body(new DeploymentJson(deploymentId)));
  }

  /** The secret as a bearer token, as the whole Authorization header, as ?token=, or as GitHub's HMAC of the body. */
  private static boolean authentic(ServerHttpRequest request, byte[] body, String secret) {
    if (secret == null || secret.isEmpty()) {
      return false;
    }
    HttpHeaders headers = request.getHeaders();
    String signature = headers.getFirst("X-Hub-Signature-256");
    if (signature != null) {
      String hex = signature.trim();
      return hex.startsWith("sha256=") && WebhookSignatures.hmacSha256Matches(secret, body, hex.substring(7));
    }
    String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      String given = authorization.trim();
      if (given.regionMatches(true, 0, "Bearer ", 0, 7)) {
        given = given.substring(7).trim();
      }
      return WebhookSignatures.equalSecrets(secret, given);
    }
    String token = request.getQueryParams().getFirst("token");
    return token != null && WebhookSignatures.equalSecrets(secret, token);
  }

  private static ResponseEntity<Object> ignored(String why) {
    return ResponseEntity.noContent().header(WebhookController.RESULT_HEADER, WebhookController.headerSafe(why))
        .build();
  }

  private static UUID applicationId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("application not found");
    }
  }

  /** A foreign key violation (SQLSTATE 23503): the application was deleted meanwhile. */
  private static boolean applicationGone(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof io.r2dbc.spi.R2dbcException r2dbc && "23503".equals(r2dbc.getSqlState())) {
        return error instanceof DataIntegrityViolationException;
      }
    }
    return false;
  }
}
