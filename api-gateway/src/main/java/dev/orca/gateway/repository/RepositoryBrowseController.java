package dev.orca.gateway.repository;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.gateway.web.ApiException;
import dev.orca.git.GitException;
import dev.orca.git.GitRemote;
import dev.orca.git.RemoteBrowser;
import dev.orca.schemas.crypto.SecretBox;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A repository's remote as a person setting it up needs it: {@code POST /test-connection} (with
 * the form's fields, over a stored repository's when {@code repositoryId} is given),
 * {@code GET /{id}/branches} and {@code GET /{id}/tree?branch=}. They read the remote as a sync
 * does. A remote that cannot be read answers 422 with the reason (test-connection: 200 with
 * {@code ok: false}); a missing branch 404.
 */
@RestController
@RequestMapping("/api/v1/repositories")
class RepositoryBrowseController {

  private final RepositoryStore store;
  private final RepositoryRules rules;
  private final SecretBox secrets;
  private final RemoteBrowser browser;

  RepositoryBrowseController(RepositoryStore store, OrcaProperties properties, SecretBox secrets,
      RemoteBrowser browser) {
    this.store = store;
    this.rules = new RepositoryRules(properties.egress());
    this.secrets = secrets;
    this.browser = browser;
  }

  /** What to test: the form's fields; {@code repositoryId} fills in what they leave out (the stored credential). */
  record ConnectionBody(String repositoryId, String url, String authMethod, String username, String token,
      String password, String sshPrivateKey) {

    String secret() {
      return token != null ? token : password != null ? password : sshPrivateKey;
    }

    @Override
    public String toString() {
      return "ConnectionBody[repositoryId=" + repositoryId + ", url=" + url + "]";
    }
  }

  record ConnectionJson(boolean ok, String error, List<String> branches, String defaultBranch) {}

  record BranchJson(String name, String commit) {}

  record BranchesJson(List<BranchJson> branches, String defaultBranch) {}

  record TreeJson(String branch, String commit, List<String> files, boolean truncated) {}

  @PostMapping("/test-connection")
  Mono<ConnectionJson> testConnection(@RequestBody ConnectionBody body) {
    if (body == null) {
      throw ApiException.badRequest("a JSON body is required");
    }
    Mono<RepositoryStore.Config> stored = body.repositoryId() == null || body.repositoryId().isBlank()
        ? Mono.just(new RepositoryStore.Config(null, null, null, null, null, null, null, 0, null,
            RepositoryJson.GitHubActions.DISABLED))
        : store.find(RepositoryIds.parse(body.repositoryId())).map(RepositoryStore.Row::config)
            .switchIfEmpty(Mono.error(RepositoryIds::notFound));
    return stored.map(current -> remote(body, current))
        .flatMap(remote -> blocking(() -> browser.branches(remote))
            .map(found -> new ConnectionJson(true, null,
                found.branches().stream().map(RemoteBrowser.Branch::name).toList(), found.defaultBranch()))
            .onErrorResume(GitException.class, e -> Mono.just(new ConnectionJson(false, e.getMessage(), null, null))));
  }

  @GetMapping("/{id}/branches")
  Mono<BranchesJson> branches(@PathVariable String id) {
    return remote(id)
        .flatMap(remote -> blocking(() -> browser.branches(remote)))
        .map(found -> new BranchesJson(found.branches().stream()
            .map(b -> new BranchJson(b.name(), b.commit())).toList(), found.defaultBranch()))
        .onErrorMap(GitException.class, RepositoryBrowseController::unreadable);
  }

  @GetMapping("/{id}/tree")
  Mono<TreeJson> tree(@PathVariable String id, @RequestParam(name = "branch", required = false) String branch) {
    if (branch == null || branch.isBlank()) {
      throw ApiException.badRequest("branch is required: /repositories/{id}/tree?branch=<name>");
    }
    return remote(id)
        .flatMap(remote -> blocking(() -> browser.tree(remote, branch.trim())))
        .map(tree -> new TreeJson(tree.branch(), tree.commit(), tree.files(), tree.truncated()))
        .onErrorMap(GitException.class, e -> e.getMessage().equals("branch " + branch.trim() + " not found")
            ? ApiException.notFound(e.getMessage()) : unreadable(e));
  }

  /** The stored repository as a remote, its secret decrypted. */
  private Mono<GitRemote> remote(String id) {
    UUID repositoryId = RepositoryIds.parse(id);
    return store.find(repositoryId)
        .switchIfEmpty(Mono.error(RepositoryIds::notFound))
        .map(row -> new GitRemote(row.id().toString(), row.config().url(), row.config().authMethod(),
            row.config().username(), decrypt(row.config().secretEncrypted())));
  }

  /** The body's fields over the stored configuration, validated as a create or update would be. */
  private GitRemote remote(ConnectionBody body, RepositoryStore.Config current) {
    String url = rules.url(body.url() != null ? body.url() : current.url());
    String authMethod = RepositoryRules.oneOf(body.authMethod(), RepositoryRules.AUTH_METHODS, "authMethod",
        current.authMethod() != null ? current.authMethod() : "none");
    String username = body.username() != null ? emptyToNull(body.username()) : current.username();
    boolean sameServer = current.url() != null && RepositoryRules.server(url).equals(RepositoryRules.server(current.url()));
    if (body.secret() == null && current.secretEncrypted() != null && !sameServer && authMethod.equals(current.authMethod())) {
      throw ApiException.badRequest("the URL names another server than the repository's: give its credentials again"
          + " to test it there (a stored secret is only sent to the server it was given for)");
    }
    String secret = body.secret() != null ? emptyToNull(body.secret())
        : authMethod.equals(current.authMethod()) && sameServer ? decrypt(current.secretEncrypted()) : null;
    return new GitRemote(body.repositoryId() == null ? "test" : body.repositoryId(), url, authMethod, username, secret);
  }

  private String decrypt(String encrypted) {
    return encrypted == null ? null : secrets.decrypt(encrypted);
  }

  /** Git calls block (network, disk): never on an event loop. */
  private static <T> Mono<T> blocking(GitCall<T> call) {
    return Mono.fromCallable(call::call).subscribeOn(Schedulers.boundedElastic());
  }

  @FunctionalInterface
  private interface GitCall<T> {
    T call() throws GitException;
  }

  private static ApiException unreadable(Throwable e) {
    return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
