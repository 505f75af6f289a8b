package dev.orca.git;

import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jgit.transport.URIish;

/**
 * The check of a git remote's URL before any connection: only http(s) and ssh remotes (the
 * scp-like {@code user@host:path} included), {@code file://} and plain paths only in local mode,
 * and a host as written that the {@link EgressPolicy} refuses (an address in any spelling,
 * {@code localhost}) fails at once with a clear message. Names are not resolved here: the
 * connections themselves check every address they connect to ({@link GuardedHttp},
 * {@link SshTransport}).
 */
final class RemotePolicy {

  private static final Set<String> NETWORK_SCHEMES = Set.of("http", "https", "ssh", "ssh+git", "git+ssh");

  private RemotePolicy() {}

  static void check(String url, EgressPolicy egress) throws GitException {
    URIish uri;
    try {
      uri = new URIish(url);
    } catch (URISyntaxException e) {
      throw new GitException("invalid git URL " + UrlRedaction.redact(url));
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    boolean scpLike = scheme == null && host != null && !host.isBlank();
    if ("file".equals(scheme) || scheme == null && !scpLike) {
      if (!egress.allowsLocalFiles()) {
        throw new GitException("local repository URL " + UrlRedaction.redact(url)
            + " is refused (ORCA_ALLOW_LOCAL_GIT is not enabled)");
      }
      return;
    }
    if (!scpLike && !NETWORK_SCHEMES.contains(scheme)) {
      throw new GitException("repository URL " + UrlRedaction.redact(url) + " is refused: only http(s) and ssh remotes");
    }
    String refusal = egress.checkHost(host);
    if (refusal != null) {
      throw new GitException("repository URL " + UrlRedaction.redact(url) + " is refused: " + refusal);
    }
  }
}
