package dev.orca.gateway.repository;

import dev.orca.gateway.web.ApiException;
import dev.orca.git.EgressPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a repository may be configured with. Remote URLs are {@code http(s)://}, {@code ssh://}
 * or scp-like {@code git@host:path}; {@code file://} and loopback hosts only in local mode
 * ({@code orca.allow-local-git}), private ranges only when allowed ({@code orca.egress-allow}),
 * metadata and link-local addresses never ({@link EgressPolicy}), so a shared gateway cannot be
 * pointed at its own machine or network.
 */
public final class RepositoryRules {

  static final Set<String> PROVIDERS = Set.of("github", "gitlab", "gitea", "bitbucket", "azure_devops", "generic");
  static final Set<String> AUTH_METHODS = Set.of("none", "token", "basic", "ssh");
  static final Set<String> SYNC_TYPES = Set.of("polling", "webhook", "manual");
  static final int MIN_POLLING_SECONDS = 30;
  static final int DEFAULT_POLLING_SECONDS = 60;

  private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):[^\\s]+");

  private final EgressPolicy egress;

  RepositoryRules(EgressPolicy egress) {
    this.egress = egress;
  }

  /** As in local mode ({@code true}: loopback and file:// allowed) or not, with no private range allowed. */
  RepositoryRules(boolean allowLocalGit) {
    this(EgressPolicy.of(allowLocalGit, null));
  }

  static String oneOf(String value, Set<String> allowed, String field, String fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String normalised = value.trim().toLowerCase(Locale.ROOT);
    if (!allowed.contains(normalised)) {
      throw ApiException.badRequest(field + " must be one of " + String.join(", ", allowed.stream().sorted().toList()));
    }
    return normalised;
  }

  static int pollingInterval(Integer seconds) {
    if (seconds == null) {
      return DEFAULT_POLLING_SECONDS;
    }
    if (seconds < MIN_POLLING_SECONDS) {
      throw ApiException.badRequest("pollingInterval must be at least " + MIN_POLLING_SECONDS + " seconds");
    }
    return seconds;
  }

  static String name(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("name is required");
    }
    if (name.trim().length() > 200) {
      throw ApiException.badRequest("name is too long (at most 200 characters)");
    }
    return name.trim();
  }

  String url(String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("url is required");
    }
    String url = value.trim();
    if (url.length() > 2048 || url.chars().anyMatch(Character::isWhitespace)) {
      throw ApiException.badRequest("url is not a valid git URL");
    }
    var scp = SCP_LIKE.matcher(url);
    if (scp.matches()) {
      checkHost(scp.group(1));
      return url;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("url is not a valid git URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "http", "https", "ssh" -> {
        if (uri.getHost() == null || uri.getHost().isBlank()) {
          throw ApiException.badRequest("url must name a host");
        }
        // Any user-info in an http(s) URL may be a token (https://TOKEN@host/...), and a password in
        // an ssh one (ssh://git:PASSWORD@host/...): it would be stored, shown and published in plain
        // text. ssh URLs keep a bare user name (ssh://git@host/...).
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && (!scheme.equals("ssh") || userInfo.contains(":"))) {
          throw ApiException.badRequest("put credentials in token/username/password, not in the URL");
        }
        checkHost(uri.getHost());
      }
      case "file" -> {
        if (!egress.allowsLocalFiles()) {
          throw ApiException.badRequest("file:// URLs are only allowed in local mode (ORCA_ALLOW_LOCAL_GIT)");
        }
      }
      default -> throw ApiException.badRequest("url must start with https://, http://, ssh:// or git@");
    }
    return url;
  }

  /**
   * The host as written, judged without resolving it (an address in any spelling, localhost
   * names): a clear 400 when saved. Every connection checks the address it is about to open again.
   */
  private void checkHost(String host) {
    String refusal = egress.checkHost(host);
    if (refusal != null) {
      throw ApiException.badRequest("url is refused: " + refusal);
    }
  }

  /**
   * The server a URL names, as {@code host:port} in lower case (default ports by scheme, 22 for
   * the scp-like form), or the whole URL when it names none: a stored secret is only ever used
   * with the server it was given for.
   */
  static String server(String url) {
    var scp = SCP_LIKE.matcher(url);
    if (scp.matches()) {
      return scp.group(1).toLowerCase(Locale.ROOT) + ":22";
    }
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        return url;
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort() != -1 ? uri.getPort() : switch (scheme) {
        case "https" -> 443;
        case "http" -> 80;
        case "ssh" -> 22;
        default -> -1;
      };
      return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return url;
    }
  }

  private static final Pattern GITHUB_REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final Pattern GITHUB_URL = Pattern.compile(
      "(?:https://(?:[^@/]+@)?github\\.com/|ssh://git@github\\.com/|git@github\\.com:)([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\\.git)?/?");
  static final int MAX_ALLOWED = 100;

  /**
   * The GitHub Actions settings a body sets over {@code current}. Enabled, they need the GitHub
   * repository (owner/name) whose workflows may sync; a github.com URL names it when the body
   * does not.
   */
  static RepositoryJson.GitHubActions githubActions(RepositoryBody.GitHubActionsBody body,
      RepositoryJson.GitHubActions current, String url) {
    if (body == null) {
      body = new RepositoryBody.GitHubActionsBody(null, null, null, null);
    }
    boolean enabled = body.enabled() != null ? body.enabled() : current.enabled();
    String repository = body.repository() != null ? blankToNull(body.repository()) : current.repository();
    if (repository == null && enabled) {
      var github = GITHUB_URL.matcher(url);
      if (!github.matches()) {
        throw ApiException.badRequest("githubActions.repository is required: the GitHub repository (owner/name)"
            + " whose workflows may sync this one");
      }
      repository = github.group(1);
    }
    if (repository != null && !GITHUB_REPOSITORY.matcher(repository).matches()) {
      throw ApiException.badRequest("githubActions.repository must be owner/name");
    }
    List<String> branches = body.allowedBranches() == null ? current.allowedBranches()
        : names(body.allowedBranches(), "githubActions.allowedBranches");
    for (String branch : branches) {
      // names() has refused control characters already.
      if (!isBranchName(branch)) {
        throw ApiException.badRequest("githubActions.allowedBranches: '" + branch + "' is not a branch name");
      }
    }
    List<String> workflows = body.allowedWorkflows() == null ? current.allowedWorkflows()
        : names(body.allowedWorkflows(), "githubActions.allowedWorkflows");
    return new RepositoryJson.GitHubActions(enabled, repository, branches, workflows);
  }

  /** What an application's branch or an allowed branch may be: no whitespace, no {@code ..}, none of ~ ^ : or a backslash. */
  public static boolean isBranchName(String branch) {
    return !branch.contains("..") && branch.chars().noneMatch(c -> Character.isWhitespace(c) || c == '~' || c == '^'
        || c == ':' || c == '\\');
  }

  private static List<String> names(List<String> given, String field) {
    List<String> names = given.stream().filter(java.util.Objects::nonNull).map(String::trim)
        .filter(s -> !s.isEmpty()).distinct().toList();
    if (names.size() > MAX_ALLOWED) {
      throw ApiException.badRequest(field + " holds at most " + MAX_ALLOWED + " entries");
    }
    for (String name : names) {
      if (name.length() > 200 || name.chars().anyMatch(c -> c < 0x20)) {
        throw ApiException.badRequest(field + ": '" + name + "' is not a valid entry");
      }
    }
    return names;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
