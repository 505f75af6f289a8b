package dev.orca.git;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * The ssh side of one call to an ssh remote: the repository's private key held in memory (never
 * written to disk), the host key check of {@link HostKeys}, and nothing of the user's
 * {@code ~/.ssh} (no keys, known_hosts, config or agent). A session factory of its own is set on
 * the call's transport, so repositories never share keys or state.
 */
final class SshTransport implements TransportConfigCallback, AutoCloseable {

  // JGit prefixes its messages with the URL, which ours already names.
  private static final Pattern URL_PREFIX = Pattern.compile("^(?:[A-Za-z][A-Za-z0-9+.-]*://\\S*?|\\S+@[^\\s:]+:\\S*?): ");

  private final String repositoryId;
  private final URIish uri;
  private final List<KeyPair> keys;
  private final HostKeys hostKeys;
  private final SshdSessionFactory factory;

  private SshTransport(GitRemote remote, URIish uri, SshHosts hosts, List<KeyPair> keys, EgressPolicy egress) {
    this.repositoryId = remote.repositoryId();
    this.uri = uri;
    this.keys = keys;
    this.hostKeys = new HostKeys(hosts);
    this.factory = new SshdSessionFactoryBuilder()
        .setHomeDirectory(hosts.pinned().getParent().toFile())
        .setSshDirectory(hosts.pinned().getParent().toFile())
        .setConfigStoreFactory((home, file, localUser) -> null)
        .setDefaultKnownHostsFiles(sshDir -> List.of())
        .setDefaultIdentities(sshDir -> List.of())
        .setDefaultKeysProvider(sshDir -> keys)
        .setServerKeyDatabase((home, sshDir) -> hostKeys)
        .setConnectorFactory(null)
        // Called with the resolved address the connection is about to be opened to (no proxy or
        // jump host is configured): the egress check at connect time, before any key is offered.
        .setProxyDataFactory(address -> {
          refuseUnlessAllowed(egress, address);
          return null;
        })
        .setPreferredAuthentications("publickey")
        .build(null);
  }

  /**
   * For a remote whose URL is an ssh one: its key is read here, before any connection, so a key
   * that cannot be used fails at once. Authentication {@code none} connects without a key.
   */
  static SshTransport of(GitRemote remote, SshHosts hosts, EgressPolicy egress) throws GitException {
    String method = remote.authMethod() == null ? "none" : remote.authMethod();
    URIish uri;
    try {
      uri = new URIish(remote.url());
    } catch (URISyntaxException e) {
      throw new GitException("invalid git URL " + UrlRedaction.redact(remote.url()));
    }
    return switch (method) {
      case "none" -> new SshTransport(remote, uri, hosts, List.of(), egress);
      case "ssh" -> new SshTransport(remote, uri, hosts, privateKey(remote), egress);
      default -> throw new GitException("repository " + remote.repositoryId() + " uses " + method
          + " authentication, which works over http(s) only: an ssh URL needs authentication ssh (a private key)");
    };
  }

  /**
   * The keys of a PEM text: OpenSSH ({@code BEGIN OPENSSH PRIVATE KEY}), RSA, EC or PKCS#8, without
   * a passphrase. Messages never quote the text nor the parser's words about it.
   */
  static List<KeyPair> privateKey(GitRemote remote) throws GitException {
    String text = remote.secret();
    String whose = "the ssh private key of repository " + remote.repositoryId();
    if (text == null || text.isBlank()) {
      throw new GitException("repository " + remote.repositoryId()
          + " uses ssh authentication but has no secret (a private key)");
    }
    String pem = text.strip().replace("\r\n", "\n") + "\n";
    AtomicBoolean encrypted = new AtomicBoolean();
    List<KeyPair> keys = new ArrayList<>();
    try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8))) {
      Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
          NamedResource.ofName("repository " + remote.repositoryId()), in, (session, resource, attempt) -> {
            encrypted.set(true);
            return null;
          });
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
    } catch (Exception e) {
      if (encrypted.get()) {
        throw new GitException(whose + " is protected by a passphrase, which Orca cannot use: give a key without one");
      }
      throw new GitException(whose + " cannot be read: it is not an OpenSSH, RSA, EC or PKCS#8 private key in PEM form"
          + " (" + e.getClass().getSimpleName() + ")");
    }
    if (keys.isEmpty()) {
      throw new GitException(whose + " holds no private key: paste the whole key file, from its BEGIN line to its END line");
    }
    return List.copyOf(keys);
  }

  private static void refuseUnlessAllowed(EgressPolicy egress, java.net.InetSocketAddress address) {
    try {
      if (address.getAddress() == null) {
        throw new GuardedHttp.RefusedHost("cannot resolve " + address.getHostString());
      }
      egress.check(address.getAddress(), address.getHostString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void configure(Transport transport) {
    if (transport instanceof org.eclipse.jgit.transport.SshTransport ssh) {
      ssh.setSshSessionFactory(factory);
    }
  }

  /**
   * What went wrong, in the words a person setting up the repository needs: a refused host key,
   * a refused (or missing) key with its fingerprint, a host that cannot be reached, else the
   * innermost error's first line. Never key material: sshd's messages name keys by fingerprint.
   */
  String explain(Throwable failure) {
    if (hostKeys.refusal() != null) {
      return hostKeys.refusal();
    }
    String endpoint = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 22);
    String user = uri.getUser() != null ? uri.getUser() : System.getProperty("user.name");
    String innermost = null;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SshException ssh
          && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
        return keys.isEmpty()
            ? "the server at " + endpoint + " wants an ssh key for user " + user + " and repository " + repositoryId
                + " has none: choose ssh authentication and give a private key"
            : "the server at " + endpoint + " refused the ssh key " + fingerprints() + " of repository " + repositoryId
                + " for user " + user + ": give the server this key's public half (for example as a deploy key)"
                + " or check the user in the URL";
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "cannot connect to " + endpoint + ": unknown host";
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return "cannot connect to " + endpoint + ": " + t.getMessage();
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        innermost = t.getMessage();
      }
    }
    if (innermost == null) {
      return failure.getClass().getSimpleName();
    }
    return URL_PREFIX.matcher(innermost.strip().lines().findFirst().orElse("")).replaceFirst("");
  }

  private String fingerprints() {
    return keys.stream().map(k -> KeyUtils.getFingerPrint(k.getPublic())).distinct()
        .collect(Collectors.joining(" or "));
  }

  @Override
  public void close() {
    factory.close();
  }
}
