package dev.orca.gateway.repository;

import dev.orca.gateway.web.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a repository may be configured with. Remote URLs are {@code http(s)://}, {@code ssh://}
 * or scp-like {@code git@host:path}; {@code file://} and loopback hosts only in local mode
 * ({@code orca.allow-local-git}), so a shared gateway cannot be pointed at its own machine.
 */
final class RepositoryRules {

  static final Set<String> PROVIDERS = Set.of("github", "gitlab", "gitea", "bitbucket", "azure_devops", "generic");
  static final Set<String> AUTH_METHODS = Set.of("none", "token", "basic", "ssh");
  static final Set<String> SYNC_TYPES = Set.of("polling", "webhook", "manual");
  static final int MIN_POLLING_SECONDS = 30;
  static final int DEFAULT_POLLING_SECONDS = 60;

  private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):[^\\s]+");

  private final boolean allowLocalGit;

  RepositoryRules(boolean allowLocalGit) {
    this.allowLocalGit = allowLocalGit;
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
        // Any user-info in an http(s) URL may be a token (https://TOKEN@host/...): it would be stored,
        // shown and published in plain text. ssh URLs keep their user name (ssh://git@host/...).
        if (!scheme.equals("ssh") && uri.getRawUserInfo() != null) {
          throw ApiException.badRequest("put credentials in token/username/password, not in the URL");
        }
        checkHost(uri.getHost());
      }
      case "file" -> {
        if (!allowLocalGit) {
          throw ApiException.badRequest("file:// URLs are only allowed in local mode (ORCA_ALLOW_LOCAL_GIT)");
        }
      }
      default -> throw ApiException.badRequest("url must start with https://, http://, ssh:// or git@");
    }
    return url;
  }

  private void checkHost(String host) {
    if (!allowLocalGit && isLoopback(host)) {
      throw ApiException.badRequest("loopback hosts are only allowed in local mode (ORCA_ALLOW_LOCAL_GIT)");
    }
  }

  static boolean isLoopback(String rawHost) {
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
        || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1") || host.equals("0.0.0.0") || host.equals("::");
  }
}
