package dev.orca.git;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.DnsResolver;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.BasicHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.apache.HttpClientConnection;

/**
 * JGit's http(s) transport for one call, on Apache HttpClient, with {@link EgressPolicy} applied
 * where it cannot be dodged: the resolver hands on only addresses the policy allows, and the
 * socket factories check the address a socket is about to connect to, whatever resolved it, so
 * neither a literal address nor a name that resolves elsewhere on a later lookup (DNS rebinding)
 * reaches a refused address, and no request (with its credentials) is ever sent there. Redirects
 * are left to JGit, which opens a new connection through here for each.
 */
final class GuardedHttp implements HttpConnectionFactory, AutoCloseable {

  private final EgressPolicy policy;
  private final int millis;
  /** host:port the remote's credentials belong to; null when it has none. */
  private final String credentialServer;
  /** One client per connection, as JGit itself makes them: a response JGit leaves unread holds only its own. */
  private final List<CloseableHttpClient> clients = new ArrayList<>();
  private boolean closed;

  /**
   * {@code credentialServer} ({@code host:port}, or null without credentials): a connection to any
   * other server, a redirect's, is refused, so the remote's token never goes where it was not given.
   */
  GuardedHttp(EgressPolicy policy, Duration timeout, String credentialServer) {
    this.policy = policy;
    this.millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.credentialServer = credentialServer;
  }

  /** {@code host:port} of a URL, default ports by scheme. */
  static String server(URL url) {
    int port = url.getPort() != -1 ? url.getPort() : url.getDefaultPort();
    return url.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
  }

  private CloseableHttpClient newClient() {
    CloseableHttpClient client = client(policy, millis);
    synchronized (clients) {
      if (closed) {
        try {
          client.close();
        } catch (IOException e) {
          // nothing to release
        }
        throw new IllegalStateException("this remote call is over");
      }
      clients.add(client);
    }
    return client;
  }

  /**
   * An HTTP client whose every connection is checked against {@code policy} where it cannot be
   * dodged (resolver and socket factories), following no redirect and keeping no connection.
   */
  static CloseableHttpClient client(EgressPolicy policy, int millis) {
    Registry<ConnectionSocketFactory> sockets = RegistryBuilder.<ConnectionSocketFactory>create()
        .register("http", new Checked(policy, PlainConnectionSocketFactory.getSocketFactory()))
        .register("https", new Checked(policy, SSLConnectionSocketFactory.getSocketFactory()))
        .build();
    BasicHttpClientConnectionManager connections =
        new BasicHttpClientConnectionManager(sockets, null, null, new Filtering(policy, policy.resolver()::resolve));
    connections.setSocketConfig(SocketConfig.custom().setSoTimeout(millis).build());
    return HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(RequestConfig.custom()
            .setConnectTimeout(millis).setSocketTimeout(millis).setConnectionRequestTimeout(millis)
            .setRedirectsEnabled(false).build())
        .disableRedirectHandling()
        .disableAutomaticRetries()
        // Each connection is closed once its answer is read: JGit opens many, and none is kept.
        .setConnectionReuseStrategy(org.apache.http.impl.NoConnectionReuseStrategy.INSTANCE)
        .disableCookieManagement()
        .disableAuthCaching()
        .build();
  }

  @Override
  public HttpConnection create(URL url) throws IOException {
    if (credentialServer != null && !server(url).equals(credentialServer)) {
      throw new RefusedHost("a redirect to " + url.getHost() + " is refused: the repository's credentials are only sent to "
          + credentialServer.replaceAll(":\\d+$", ""));
    }
    try {
      return new HttpClientConnection(url.toString(), null, newClient());
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage());
    }
  }

  @Override
  public HttpConnection create(URL url, Proxy proxy) throws IOException {
    // Proxies are not used: the policy judges the address of the server itself.
    return create(url);
  }

  @Override
  public void close() {
    synchronized (clients) {
      closed = true;
      for (CloseableHttpClient client : clients) {
        try {
          client.close();
        } catch (IOException e) {
          // nothing is left to release
        }
      }
      clients.clear();
    }
  }

  /** Resolves as the system does and keeps the addresses the policy allows; none left is a refusal. */
  private record Filtering(EgressPolicy policy, DnsResolver resolver) implements DnsResolver {
    @Override
    public InetAddress[] resolve(String host) throws java.net.UnknownHostException {
      InetAddress[] all = resolver.resolve(host);
      List<InetAddress> allowed = new ArrayList<>();
      String firstRefusal = null;
      for (InetAddress address : all) {
        try {
          policy.check(address, host);
          allowed.add(address);
        } catch (EgressRefusedException e) {
          firstRefusal = firstRefusal == null ? e.getMessage() : firstRefusal;
        }
      }
      if (allowed.isEmpty()) {
        // HttpClient's contract allows only UnknownHostException here; its message carries the refusal.
        throw new RefusedHost(firstRefusal == null ? host + " has no address" : firstRefusal);
      }
      return allowed.toArray(InetAddress[]::new);
    }
  }

  /** The refusal a resolver may throw; {@link #refusal} finds it in a failure's causes. */
  static final class RefusedHost extends java.net.UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedHost(String message) {
      super(message);
    }
  }

  /** The policy's message when {@code failure} was a refusal here, else null. */
  static String refusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RefusedHost || t instanceof EgressRefusedException) {
        return t.getMessage();
      }
    }
    return null;
  }

  /** Checks the address a socket is about to connect to, then connects as {@code delegate} does. */
  record Checked(EgressPolicy policy, ConnectionSocketFactory delegate) implements ConnectionSocketFactory {
    @Override
    public Socket createSocket(HttpContext context) throws IOException {
      return delegate.createSocket(context);
    }

    @Override
    public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
        InetSocketAddress localAddress, HttpContext context) throws IOException {
      try {
        policy.check(remoteAddress.getAddress(), host.getHostName());
      } catch (EgressRefusedException e) {
        if (socket != null) {
          socket.close();
        }
        throw e;
      }
      return delegate.connectSocket(connectTimeout, socket, host, remoteAddress, localAddress, context);
    }
  }
}
