package dev.orca.git;

import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * How one call reaches one remote with the remote's authentication method: a token or a user name
 * and password over http(s), a private key over ssh ({@link SshTransport}). Checked before any
 * connection, so a remote whose credentials cannot work fails at once.
 */
final class RemoteAccess implements AutoCloseable {

  /** JGit's transports for local paths (package-private there), which RemotePolicy admits in local mode only. */
  private static final Set<String> LOCAL_TRANSPORTS = Set.of("org.eclipse.jgit.transport.TransportLocal",
      "org.eclipse.jgit.transport.TransportBundleFile");
  private static final Set<String> SSH_SCHEMES = Set.of("ssh", "ssh+git", "git+ssh");

  private final CredentialsProvider credentials;
  private final SshTransport ssh;
  private final GuardedHttp http;

  private RemoteAccess(CredentialsProvider credentials, SshTransport ssh, GuardedHttp http) {
    this.credentials = credentials;
    this.ssh = ssh;
    this.http = http;
  }

  /** Every connection it opens, ssh or http(s), is checked against {@code egress} at connect time. */
  static RemoteAccess of(GitRemote remote, SshHosts hosts, EgressPolicy egress, java.time.Duration timeout)
      throws GitException {
    if (isSsh(remote.url())) {
      return new RemoteAccess(null, SshTransport.of(remote, hosts, egress), null);
    }
    CredentialsProvider credentials = credentials(remote);
    String server = null;
    if (credentials != null) {
      try {
        server = GuardedHttp.server(new java.net.URL(remote.url()));
      } catch (java.net.MalformedURLException e) {
        throw new GitException("invalid git URL " + UrlRedaction.redact(remote.url()));
      }
    }
    return new RemoteAccess(credentials, null, new GuardedHttp(egress, timeout, server));
  }

  /** {@code ssh://...} and the scp-like {@code user@host:path}. */
  static boolean isSsh(String url) {
    try {
      URIish uri = new URIish(url);
      String scheme = uri.getScheme();
      if (scheme != null) {
        return SSH_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
      }
      return uri.getHost() != null && !uri.getHost().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Sets the credentials (or the ssh session factory) on a command. */
  <C extends TransportCommand<C, ?>> C apply(C command) {
    command.setCredentialsProvider(credentials);
    if (ssh != null) {
      command.setTransportConfigCallback(ssh);
    } else {
      command.setTransportConfigCallback(transport -> {
        if (transport instanceof TransportHttp viaHttp) {
          viaHttp.setHttpConnectionFactory(http);
        } else if (!LOCAL_TRANSPORTS.contains(transport.getClass().getName())) {
          // RemotePolicy admits only http(s), ssh and (in local mode) local paths: anything else is refused.
          throw new IllegalStateException("the " + transport.getClass().getSimpleName() + " transport is not used");
        }
      });
    }
    return command;
  }

  /** Why a call failed, when this access knows better than the exception's own words (ssh); else null. */
  String explain(Throwable failure) {
    String refusal = GuardedHttp.refusal(failure);
    if (refusal != null) {
      return refusal;
    }
    return ssh == null ? null : ssh.explain(failure);
  }

  private static CredentialsProvider credentials(GitRemote remote) throws GitException {
    String method = remote.authMethod() == null ? "none" : remote.authMethod();
    boolean hasUser = remote.username() != null && !remote.username().isBlank();
    switch (method) {
      case "none":
        return null;
      case "token":
        requireSecret(remote, "a token");
        return new UsernamePasswordCredentialsProvider(hasUser ? remote.username() : GitCalls.TOKEN_USER,
            remote.secret());
      case "basic":
        if (!hasUser) {
          throw new GitException("repository " + remote.repositoryId() + " uses basic authentication but has no username");
        }
        requireSecret(remote, "a password");
        return new UsernamePasswordCredentialsProvider(remote.username(), remote.secret());
      case "ssh":
        throw new GitException("repository " + remote.repositoryId()
            + " uses ssh authentication, which needs an ssh URL (ssh://host/path or user@host:path)");
      default:
        throw new GitException("unknown authentication method " + method);
    }
  }

  private static void requireSecret(GitRemote remote, String what) throws GitException {
    if (remote.secret() == null || remote.secret().isEmpty()) {
      throw new GitException("repository " + remote.repositoryId() + " uses " + remote.authMethod()
          + " authentication but has no secret (" + what + ")");
    }
  }

  @Override
  public void close() {
    if (ssh != null) {
      ssh.close();
    }
    if (http != null) {
      http.close();
    }
  }
}
