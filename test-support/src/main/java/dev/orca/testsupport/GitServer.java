package dev.orca.testsupport;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumSet;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A real git server for tests: JGit's smart-HTTP servlet in Jetty on 127.0.0.1, serving every
 * repository made with {@link #createRepository}. Clients clone and fetch it like any remote.
 * {@link #startWithBasicAuth} protects every repository with HTTP basic authentication.
 */
public final class GitServer implements AutoCloseable {

  private final Path root;
  private final Server server;
  private final java.util.concurrent.atomic.AtomicInteger requests;

  private GitServer(Path root, Server server, java.util.concurrent.atomic.AtomicInteger requests) {
    this.root = root;
    this.server = server;
    this.requests = requests;
  }

  /** How many requests reached the server, refused ones included. */
  public int requests() {
    return requests.get();
  }

  public static GitServer start() {
    return start(null);
  }

  /** A server that answers 401 to every request without these basic-auth credentials. */
  public static GitServer startWithBasicAuth(String user, String password) {
    return start(new BasicAuth(user, password));
  }

  private static GitServer start(BasicAuth auth) {
    try {
      Path root = Files.createTempDirectory("orca-git-server");
      GitServlet servlet = new GitServlet();
      servlet.setRepositoryResolver((request, name) -> {
        Path dir = root.resolve(name).normalize();
        if (!dir.startsWith(root) || !Files.isDirectory(dir.resolve(".git"))) {
          throw new RepositoryNotFoundException(name);
        }
        try {
          return new FileRepositoryBuilder().setGitDir(dir.resolve(".git").toFile()).setMustExist(true).build();
        } catch (IOException e) {
          throw new RepositoryNotFoundException(name, e);
        }
      });
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
      context.addFilter(new FilterHolder((Filter) (request, response, chain) -> {
        requests.incrementAndGet();
        chain.doFilter(request, response);
      }), "/*", EnumSet.of(DispatcherType.REQUEST));
      if (auth != null) {
        context.addFilter(new FilterHolder(auth), "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      context.addServlet(new ServletHolder(servlet), "/git/*");
      server.setHandler(context);
      server.start();
      return new GitServer(root, server, requests);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start git server: " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** A new repository with a working tree on the server, with one initial commit on main. */
  public GitRepo createRepository(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("repository names are plain: " + name);
    }
    File dir = root.resolve(name).toFile();
    return GitRepo.init(dir, "http://127.0.0.1:" + port() + "/git/" + name);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lets a request through only when its Authorization header carries the expected credentials. */
  private static final class BasicAuth implements Filter {
    private final byte[] expected;

    BasicAuth(String user, String password) {
      String pair = user + ":" + password;
      expected = ("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
          .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      String header = ((HttpServletRequest) request).getHeader("Authorization");
      if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
        chain.doFilter(request, response);
        return;
      }
      HttpServletResponse http = (HttpServletResponse) response;
      http.setHeader("WWW-Authenticate", "Basic realm=\"orca-test\"");
      http.sendError(HttpServletResponse.SC_UNAUTHORIZED);
    }
  }
}
