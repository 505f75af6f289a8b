package dev.orca.gateway.webhook;

import dev.orca.gateway.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;

/**
 * How each git provider signs, names and shapes its deliveries. A delivery is authenticated
 * on its raw bytes before anything reads it; only then is the payload parsed.
 */
enum WebhookProvider {

  /** {@code X-Hub-Signature-256: sha256=<hmac>}, {@code X-GitHub-Event}, {@code X-GitHub-Delivery}. */
  GITHUB("X-Hub-Signature-256 is missing or does not match the webhook secret") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      return prefixedHmac(headers.getFirst("X-Hub-Signature-256"), body, secret);
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      return headers.getFirst("X-GitHub-Delivery");
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      String event = headers.getFirst("X-GitHub-Event");
      if (!"push".equals(event)) {
        return ignoredEvent(event);
      }
      return refPush(payload, payload.path("deleted").isBoolean() && payload.path("deleted").booleanValue());
    }
  },

  /**
   * Gitea and Forgejo: {@code X-Gitea-Signature} (or {@code X-Forgejo-Signature}) is the bare hex
   * HMAC; the push payload is GitHub's shape.
   */
  GITEA("X-Gitea-Signature is missing or does not match the webhook secret") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      String signature = first(headers, "X-Gitea-Signature", "X-Forgejo-Signature");
      return signature != null && !signature.isBlank() && WebhookSignatures.hmacSha256Matches(secret, body, signature);
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      return first(headers, "X-Gitea-Delivery", "X-Forgejo-Delivery");
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      String event = first(headers, "X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event");
      if (!"push".equals(event)) {
        return ignoredEvent(event);
      }
      return refPush(payload, false);
    }
  },

  /** {@code X-Gitlab-Token} is the secret itself; {@code X-Gitlab-Event: Push Hook}. */
  GITLAB("X-Gitlab-Token is missing or does not match the webhook secret") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      return WebhookSignatures.equalSecrets(secret, headers.getFirst("X-Gitlab-Token"));
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      // Idempotency-Key stays the same across GitLab's retries of one event.
      return first(headers, "Idempotency-Key", "X-Gitlab-Event-UUID");
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      String event = headers.getFirst("X-Gitlab-Event");
      boolean push = "Push Hook".equals(event)
          || "System Hook".equals(event) && "push".equals(text(payload.path("object_kind")));
      if (!push) {
        return ignoredEvent(event);
      }
      return refPush(payload, false);
    }
  },

  /** Bitbucket Cloud: {@code X-Hub-Signature: sha256=<hmac>}, {@code X-Event-Key: repo:push}. */
  BITBUCKET("X-Hub-Signature is missing or does not match the webhook secret") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      return prefixedHmac(headers.getFirst("X-Hub-Signature"), body, secret);
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      return headers.getFirst("X-Request-UUID");
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      String event = headers.getFirst("X-Event-Key");
      if (!"repo:push".equals(event)) {
        return ignoredEvent(event);
      }
      JsonNode changes = payload.path("push").path("changes");
      if (!changes.isArray()) {
        throw invalid("a repo:push payload needs push.changes");
      }
      List<Delivery.Head> heads = new ArrayList<>();
      for (JsonNode change : changes) {
        JsonNode pushed = change.path("new");
        // "new" is null when the branch or tag was deleted.
        if (pushed.isObject() && "branch".equals(text(pushed.path("type")))) {
          heads.add(head(text(pushed.path("name")), text(pushed.path("target").path("hash"))));
        }
      }
      return heads.isEmpty() ? new Delivery.Ignored("the push changed no branch (tags or deletions only)")
          : new Delivery.Push(heads);
    }
  },

  /** Azure DevOps service hooks: the secret is the basic-auth password; {@code eventType: git.push}. */
  AZURE_DEVOPS("basic authentication is missing or its password does not match the webhook secret") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        return false;
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int colon = decoded.indexOf(':');
      return colon >= 0 && WebhookSignatures.equalSecrets(secret, decoded.substring(colon + 1));
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      return text(payload.path("id"));
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      String event = text(payload.path("eventType"));
      if (!"git.push".equals(event)) {
        return ignoredEvent(event);
      }
      JsonNode updates = payload.path("resource").path("refUpdates");
      if (!updates.isArray()) {
        throw invalid("a git.push payload needs resource.refUpdates");
      }
      List<Delivery.Head> heads = new ArrayList<>();
      for (JsonNode update : updates) {
        String ref = text(update.path("name"));
        String commit = text(update.path("newObjectId"));
        if (ref != null && ref.startsWith(BRANCH_REF) && !deleted(commit)) {
          heads.add(head(ref.substring(BRANCH_REF.length()), commit));
        }
      }
      return heads.isEmpty() ? new Delivery.Ignored("the push changed no branch (tags or deletions only)")
          : new Delivery.Push(heads);
    }
  },

  /**
   * Any other sender: {@code Authorization: Bearer <secret>} and an optional JSON body
   * {@code {"branch" | "ref", "commit"}}; without a commit the branch's latest is deployed,
   * without a branch every branch in use.
   */
  GENERIC("Authorization: Bearer <webhook secret> is missing or wrong") {
    @Override
    boolean authentic(HttpHeaders headers, byte[] body, String secret) {
      String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
      return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
          && WebhookSignatures.equalSecrets(secret, authorization.substring(7).trim());
    }

    @Override
    String deliveryId(HttpHeaders headers, JsonNode payload) {
      return headers.getFirst("Idempotency-Key");
    }

    @Override
    Delivery read(HttpHeaders headers, JsonNode payload) {
      if (payload.isMissingNode() || payload.isNull()) {
        return new Delivery.Push(List.of(new Delivery.Head(null, null)));
      }
      if (!payload.isObject()) {
        throw invalid("the body must be a JSON object {\"branch\", \"commit\"} or empty");
      }
      String branch = optionalText(payload, "branch");
      String ref = optionalText(payload, "ref");
      String commit = optionalText(payload, "commit");
      if (branch == null && ref != null) {
        if (ref.startsWith(TAG_REF)) {
          return new Delivery.Ignored("a tag was pushed; applications follow branches");
        }
        branch = ref.startsWith(BRANCH_REF) ? ref.substring(BRANCH_REF.length()) : ref;
      }
      if (commit != null && !SHA.matcher(commit).matches()) {
        throw invalid("commit must be a full 40-character hexadecimal SHA");
      }
      return new Delivery.Push(List.of(new Delivery.Head(branch == null || branch.isBlank() ? null : branch,
          commit == null ? null : commit.toLowerCase(Locale.ROOT))));
    }
  };

  static final String BRANCH_REF = "refs/heads/";
  static final String TAG_REF = "refs/tags/";
  private static final java.util.regex.Pattern SHA = java.util.regex.Pattern.compile("[0-9a-fA-F]{40}");

  private final String badSignature;

  WebhookProvider(String badSignature) {
    this.badSignature = badSignature;
  }

  /** Whether the delivery's bytes were sent by someone holding the secret. */
  abstract boolean authentic(HttpHeaders headers, byte[] body, String secret);

  /** The provider's id of this delivery, the same on a redelivery; null when it sends none. */
  abstract String deliveryId(HttpHeaders headers, JsonNode payload);

  /** What an authenticated delivery asks for; {@link ApiException} 400 when a push payload is malformed. */
  abstract Delivery read(HttpHeaders headers, JsonNode payload);

  /** Why authentication failed, naming what the provider sends. */
  String badSignature() {
    return badSignature;
  }

  /** The provider a repository is configured with ({@code gitea} also serves Forgejo). */
  static WebhookProvider of(String configured) {
    return switch (configured == null ? "generic" : configured) {
      case "github" -> GITHUB;
      case "gitea" -> GITEA;
      case "gitlab" -> GITLAB;
      case "bitbucket" -> BITBUCKET;
      case "azure_devops" -> AZURE_DEVOPS;
      default -> GENERIC;
    };
  }

  /** The actor recorded on the sync: {@code webhook:<provider>}. */
  String actor() {
    return "webhook:" + name().toLowerCase(Locale.ROOT);
  }

  /** GitHub's, Gitea's and GitLab's push shape: {@code ref} and {@code after}. */
  private static Delivery refPush(JsonNode payload, boolean deletedFlag) {
    String ref = text(payload.path("ref"));
    String after = text(payload.path("after"));
    if (ref == null) {
      throw invalid("a push payload needs ref");
    }
    if (ref.startsWith(TAG_REF)) {
      return new Delivery.Ignored("a tag was pushed; applications follow branches");
    }
    if (!ref.startsWith(BRANCH_REF)) {
      return new Delivery.Ignored("ref " + ref + " is not a branch");
    }
    if (deletedFlag || deleted(after)) {
      return new Delivery.Ignored("branch " + ref.substring(BRANCH_REF.length()) + " was deleted");
    }
    return new Delivery.Push(List.of(head(ref.substring(BRANCH_REF.length()), after)));
  }

  private static Delivery.Head head(String branch, String commit) {
    if (branch == null || branch.isBlank()) {
      throw invalid("a pushed branch has no name");
    }
    if (commit == null || !SHA.matcher(commit).matches()) {
      throw invalid("the pushed commit of branch " + branch + " is not a 40-character SHA");
    }
    return new Delivery.Head(branch, commit.toLowerCase(Locale.ROOT));
  }

  /** An all-zero SHA is how providers say that a ref was deleted. */
  private static boolean deleted(String sha) {
    return sha != null && !sha.isEmpty() && sha.chars().allMatch(c -> c == '0');
  }

  private static boolean prefixedHmac(String header, byte[] body, String secret) {
    if (header == null || !header.regionMatches(true, 0, "sha256=", 0, 7)) {
      return false;
    }
    return WebhookSignatures.hmacSha256Matches(secret, body, header.substring(7));
  }

  private static Delivery ignoredEvent(String event) {
    return new Delivery.Ignored(event == null || event.isBlank() ? "the delivery names no event"
        : "event " + event + " is not a push");
  }

  private static String first(HttpHeaders headers, String... names) {
    for (String name : names) {
      String value = headers.getFirst(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.stringValue() : null;
  }

  private static String optionalText(JsonNode payload, String field) {
    JsonNode node = payload.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isString()) {
      throw invalid(field + " must be a string");
    }
    return node.stringValue().trim();
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest(message);
  }
}
