package dev.orca.gateway.githubactions;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.orca.gateway.repository.RepositoryJson;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.repository.SyncRequests;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.webhook.WebhookDeliveries;
import dev.orca.schemas.avro.SyncTrigger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /api/v1/github-actions} with {@code Authorization: Bearer <OIDC token>} (public:
 * the token is the credential). The token must verify ({@link ActionsTokenVerifier}); a
 * {@code pull_request*} run is refused; every repository that allows runs of the token's GitHub
 * repository, on its branch and workflow, gets a sync at the token's SHA. A branch ref syncs that
 * branch; a tag ref syncs the branches that contain its commit (sync-stream deploys a static
 * commit only where the branch contains it). A token used again starts nothing more.
 */
@RestController
class GitHubActionsController {

  private static final Logger log = LoggerFactory.getLogger(GitHubActionsController.class);
  private static final String BRANCH_REF = "refs/heads/";
  private static final String TAG_REF = "refs/tags/";
  private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");
  /** {@code owner/repo/.github/workflows/deploy.yml@refs/heads/main} → {@code deploy.yml}. */
  private static final Pattern WORKFLOW_FILE = Pattern.compile(".*/\\.github/workflows/([^@]+)@.*");

  private final RepositoryViews repositories;
  private final SyncRequests syncRequests;
  private final WebhookDeliveries deliveries;
  private final ActionsTokenVerifier verifier;

  GitHubActionsController(RepositoryViews repositories, SyncRequests syncRequests, WebhookDeliveries deliveries,
      OrcaProperties properties,
      @Value("${orca.github-actions.issuer:" + ActionsTokenVerifier.GITHUB_ISSUER + "}") String issuer) {
    this.repositories = repositories;
    this.syncRequests = syncRequests;
    this.deliveries = deliveries;
    String publicUrl = properties.publicBaseUrl();
    this.verifier = publicUrl == null ? null : new ActionsTokenVerifier(issuer, publicUrl);
  }

  record AcceptedJson(String syncId, List<String> syncIds) {}

  /** One sync to start: a repository, the branch (null: every branch that contains the commit), the commit. */
  private record Target(RepositoryViews.GitHubActionsTarget repository, String branch) {}

  @PostMapping("/api/v1/github-actions")
  @ResponseStatus(HttpStatus.ACCEPTED)
  Mono<AcceptedJson> trigger(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      org.springframework.web.server.ServerWebExchange exchange) {
    if (verifier == null) {
      return Mono.error(unauthorized("this Orca has no public URL (ORCA_PUBLIC_URL), which a GitHub Actions token"
          + " must name as its audience"));
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.substring(7).isBlank()) {
      return Mono.error(unauthorized("a GitHub Actions OIDC token is required: Authorization: Bearer <token>"));
    }
    String token = authorization.substring(7).trim();
    return Mono.fromCallable(() -> verifier.verify(token))
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(ActionsTokenVerifier.InvalidToken.class,
            e -> unauthorized("the GitHub Actions token is not valid: " + e.getMessage()))
        // the audit log names the run: which repository's workflow, on which ref
        .doOnNext(claims -> exchange.getAttributes().put(dev.orca.gateway.audit.AuditLog.ACTOR_NAME,
            text(claims, "repository") + " " + text(claims, "workflow") + " @ " + text(claims, "ref")))
        .flatMap(this::start);
  }

  private Mono<AcceptedJson> start(JWTClaimsSet claims) {
    String event = text(claims, "event_name");
    String repository = text(claims, "repository");
    String ref = text(claims, "ref");
    String sha = text(claims, "sha");
    if (event.toLowerCase(Locale.ROOT).startsWith("pull_request")) {
      return Mono.error(ApiException.forbidden("a " + event + " run cannot deploy: its code is not on a branch yet"));
    }
    if (!SHA.matcher(sha).matches()) {
      return Mono.error(ApiException.badRequest("the token's sha is not a 40-character commit SHA"));
    }
    boolean tag = ref.startsWith(TAG_REF);
    if (!tag && !ref.startsWith(BRANCH_REF)) {
      return Mono.error(ApiException.forbidden("ref " + ref + " is neither a branch nor a tag"));
    }
    String workflow = text(claims, "workflow");
    String workflowFile = workflowFile(claims);
    return repositories.allowingGitHubActions(repository).collectList().flatMap(allowing -> {
      if (allowing.isEmpty()) {
        return Mono.error(ApiException.forbidden("no repository allows GitHub Actions runs of " + repository));
      }
      List<Target> targets = new ArrayList<>();
      List<String> refusals = new ArrayList<>();
      for (RepositoryViews.GitHubActionsTarget candidate : allowing) {
        RepositoryJson.GitHubActions settings = candidate.settings();
        if (!settings.allowedWorkflows().isEmpty() && settings.allowedWorkflows().stream()
            .noneMatch(w -> w.equals(workflow) || w.equals(workflowFile))) {
          refusals.add("workflow " + (workflowFile.isEmpty() ? workflow : workflowFile) + " is not allowed");
          continue;
        }
        if (!tag) {
          String branch = ref.substring(BRANCH_REF.length());
          if (!settings.allowedBranches().isEmpty() && !settings.allowedBranches().contains(branch)) {
            refusals.add("branch " + branch + " is not allowed");
            continue;
          }
          targets.add(new Target(candidate, branch));
        } else if (settings.allowedBranches().isEmpty()) {
          targets.add(new Target(candidate, null));
        } else {
          settings.allowedBranches().forEach(branch -> targets.add(new Target(candidate, branch)));
        }
      }
      if (targets.isEmpty()) {
        return Mono.error(ApiException.forbidden(String.join("; ", refusals.stream().distinct().toList())));
      }
      String tokenId = claims.getJWTID() != null ? claims.getJWTID() : text(claims, "run_id") + ":" + sha;
      String actor = "github-actions:" + repository + (workflow.isEmpty() ? "" : " (" + workflow + ")");
      return Flux.fromIterable(targets)
          .concatMap(target -> startOne(target, tokenId, actor, sha))
          .collectList()
          .map(ids -> new AcceptedJson(ids.get(0), ids));
    });
  }

  /** One sync, unless this token already started it (same token, same repository and branch). */
  private Mono<String> startOne(Target target, String tokenId, String actor, String sha) {
    String syncId = SyncRequests.newSyncId();
    String deliveryId = "github-actions:" + tokenId + ":" + (target.branch() == null ? "*" : target.branch());
    return deliveries.claim(target.repository().id(), deliveryId, syncId).flatMap(owner -> {
      if (!owner.equals(syncId)) {
        log.info("GitHub Actions token {} already started sync {} of repository {}", tokenId, owner,
            target.repository().id());
        return Mono.just(owner);
      }
      return syncRequests.request(target.repository().id(), syncId, SyncTrigger.GITHUB_ACTIONS, actor,
              target.branch(), sha.toLowerCase(Locale.ROOT))
          .switchIfEmpty(Mono.error(() -> ApiException.notFound("repository not found")))
          .onErrorResume(e -> deliveries.release(target.repository().id(), deliveryId, syncId).then(Mono.error(e)))
          .doOnNext(id -> log.info("GitHub Actions run ({}) accepted as sync {} of repository {}", actor, id,
              target.repository().id()));
    });
  }

  /** The workflow's file name from {@code workflow_ref} (or {@code job_workflow_ref}); empty when absent. */
  private static String workflowFile(JWTClaimsSet claims) {
    for (String claim : List.of("workflow_ref", "job_workflow_ref")) {
      Matcher matcher = WORKFLOW_FILE.matcher(text(claims, claim));
      if (matcher.matches()) {
        return matcher.group(1);
      }
    }
    return "";
  }

  /** A string claim, or empty; a claim of another type is empty too. */
  private static String text(JWTClaimsSet claims, String name) {
    try {
      String value = claims.getStringClaim(name);
      return value == null ? "" : value;
    } catch (ParseException e) {
      return "";
    }
  }

  private static ApiException unauthorized(String message) {
    return new ApiException(HttpStatus.UNAUTHORIZED, message);
  }
}
