package dev.orca.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real OpenID provider for tests: Spring Authorization Server (module {@code oidc-provider}) in
 * a process of its own on loopback, with the clients and people a test gives it. {@link
 * #signIn} plays a person at its sign-in form, as a browser would.
 */
public final class OidcProvider implements AutoCloseable {

  private static final Duration START_DEADLINE = Duration.ofSeconds(90);

  /** A client of the provider: Orca, with the redirect URI it sends. */
  public record Client(String id, String secret, String redirectUri) {}

  /** A person who can sign in; {@code trick} spoils their ID tokens on purpose (expired, wrong-audience, wrong-nonce). */
  public record Person(String name, String password, String email, boolean emailVerified, List<String> groups,
      String trick) {
    public Person(String name, String password, String email) {
      this(name, password, email, true, List.of(), "");
    }
  }

  private final Process process;
  private final String issuer;
  private final Path log;

  private OidcProvider(Process process, String issuer, Path log) {
    this.process = process;
    this.issuer = issuer;
    this.log = log;
  }

  /** Whether the provider's jar is built (the {@code oidc-provider} module, before the modules that test with it). */
  public static boolean available() {
    return jar() != null;
  }

  public static OidcProvider start(List<Client> clients, List<Person> people) {
    Path jar = jar();
    if (jar == null) {
      throw new IllegalStateException("oidc-provider/target/orca-oidc-provider-*-exec.jar is missing: build the"
          + " oidc-provider module first (mvn -pl oidc-provider install)");
    }
    int port = FreePorts.next();
    String issuer = "http://127.0.0.1:" + port;
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--server.port=" + port,
        "--spring.security.oauth2.authorizationserver.issuer=" + issuer));
    for (Client client : clients) {
      String prefix = "--spring.security.oauth2.authorizationserver.client." + client.id() + ".";
      command.add(prefix + "registration.client-id=" + client.id());
      command.add(prefix + "registration.client-secret={noop}" + client.secret());
      command.add(prefix + "registration.client-authentication-methods=client_secret_basic,client_secret_post");
      command.add(prefix + "registration.authorization-grant-types=authorization_code");
      command.add(prefix + "registration.redirect-uris=" + client.redirectUri());
      command.add(prefix + "registration.scopes=openid,email,profile");
      command.add(prefix + "require-authorization-consent=false");
      command.add(prefix + "require-proof-key=true");
    }
    command.add("--provider.users=" + people.stream()
        .map(p -> String.join(":", p.name(), p.password(), p.email(), String.valueOf(p.emailVerified()),
            String.join("|", p.groups()), p.trick()))
        .collect(Collectors.joining(";")));
    try {
      Path log = Files.createTempFile("orca-oidc-provider", ".log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OidcProvider provider = new OidcProvider(process, issuer, log);
      provider.awaitReady();
      return provider;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String issuer() {
    return issuer;
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the OpenID provider exited: " + tail());
      }
      try {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(issuer
            + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("the OpenID provider did not start within " + START_DEADLINE.toSeconds() + " s: " + tail());
  }

  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"");

  /**
   * Follows {@code authorizationRequest} (where Orca sent the browser) as a browser would: to the
   * provider's sign-in form, signs in as {@code username}, and returns where the provider then
   * sends the browser back (Orca's callback, with the code and state), or an error page's address.
   */
  public URI signIn(URI authorizationRequest, String username, String password) {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    try {
      URI next = authorizationRequest;
      boolean signedIn = false;
      for (int hop = 0; hop < 10; hop++) {
        HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(10))
                .header("Accept", "text/html,application/xhtml+xml").build(),
            HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && !signedIn && answer.body().contains("_csrf")) {
          Matcher csrf = CSRF.matcher(answer.body());
          if (!csrf.find()) {
            throw new IllegalStateException("no CSRF token in the provider's sign-in form");
          }
          String token = csrf.group(1) != null ? csrf.group(1) : csrf.group(2);
          String form = "username=" + enc(username) + "&password=" + enc(password) + "&_csrf=" + enc(token);
          HttpResponse<String> posted = browser.send(HttpRequest.newBuilder(next.resolve("/login"))
              .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
              .header("Accept", "text/html,application/xhtml+xml")
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
          signedIn = true;
          String location = posted.headers().firstValue("Location").orElseThrow(() ->
              new IllegalStateException("the provider did not accept the sign-in: " + posted.statusCode()));
          if (location.contains("/login?error")) {
            throw new IllegalStateException("the provider refused the password of " + username);
          }
          next = next.resolve(location);
          continue;
        }
        if (answer.statusCode() / 100 != 3) {
          throw new IllegalStateException("the provider answered " + answer.statusCode() + " at " + next + ": "
              + answer.body().substring(0, Math.min(500, answer.body().length())));
        }
        URI location = next.resolve(answer.headers().firstValue("Location").orElseThrow());
        if (!location.toString().startsWith(issuer)) {
          return location; // back to the client
        }
        next = location;
      }
      throw new IllegalStateException("too many redirects at the provider");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The exec jar of module oidc-provider, looked for from the working directory up. */
  private static Path jar() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path target = dir.resolve("oidc-provider").resolve("target");
      if (Files.isDirectory(target)) {
        try (Stream<Path> files = Files.list(target)) {
          return files.filter(f -> f.getFileName().toString().matches("orca-oidc-provider-.*-exec\\.jar")).findFirst()
              .orElse(null);
        } catch (IOException e) {
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
