package dev.orca.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * An OpenID Connect issuer on loopback, standing in for GitHub Actions'
 * ({@code token.actions.githubusercontent.com}): discovery at
 * {@code /.well-known/openid-configuration}, keys at {@code /.well-known/jwks}, and tokens
 * signed with a key made for this run. {@code POST /mint} with a JSON object of claims answers
 * a token with them, for tests outside the JVM (the browser tests).
 */
public final class OidcIssuer implements AutoCloseable {

  private final HttpServer server;
  private final RSAKey key;
  private final String url;

  private OidcIssuer(HttpServer server, RSAKey key) {
    this.server = server;
    this.key = key;
    this.url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public static OidcIssuer start() {
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID("test-" + UUID.randomUUID()).generate();
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      OidcIssuer issuer = new OidcIssuer(server, key);
      server.createContext("/.well-known/openid-configuration", exchange -> issuer.answer(exchange, 200,
          "{\"issuer\":\"" + issuer.url + "\",\"jwks_uri\":\"" + issuer.url + "/.well-known/jwks\","
              + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
      server.createContext("/.well-known/jwks", exchange -> issuer.answer(exchange, 200,
          new JWKSet(key.toPublicJWK()).toString()));
      server.createContext("/mint", issuer::mintOverHttp);
      server.start();
      return issuer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the OIDC issuer", e);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make a signing key", e);
    }
  }

  /** The issuer URL ({@code iss}), as the gateway is configured with it. */
  public String url() {
    return url;
  }

  /**
   * A token with GitHub Actions' claims for a push of {@code sha} to {@code ref} in
   * {@code repository}, valid for 5 minutes, for {@code audience}; {@code overrides} replace or
   * add claims (a null value removes one).
   */
  public String githubActionsToken(String audience, String repository, String ref, String sha,
      Map<String, Object> overrides) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", "repo:" + repository + ":ref:" + ref);
    claims.put("aud", audience);
    claims.put("repository", repository);
    claims.put("repository_owner", repository.substring(0, repository.indexOf('/')));
    claims.put("ref", ref);
    claims.put("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch");
    claims.put("sha", sha);
    claims.put("event_name", "push");
    claims.put("workflow", "Deploy");
    claims.put("workflow_ref", repository + "/.github/workflows/deploy.yml@" + ref);
    claims.put("job_workflow_ref", repository + "/.github/workflows/deploy.yml@" + ref);
    claims.put("run_id", "1234567890");
    claims.put("actor", "jdoe");
    claims.putAll(overrides);
    claims.values().removeIf(java.util.Objects::isNull);
    return sign(claims, Instant.now(), Duration.ofMinutes(5), key);
  }

  /** A token signed with a key this issuer does not publish. */
  public String forgedToken(String audience, String repository, String ref, String sha) {
    try {
      RSAKey other = new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate();
      return sign(Map.of("sub", "repo:" + repository + ":ref:" + ref, "aud", audience, "repository", repository,
          "ref", ref, "sha", sha, "event_name", "push"), Instant.now(), Duration.ofMinutes(5), other);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims as given (iss added), issued at {@code issuedAt}, valid for {@code lifetime}. */
  public String sign(Map<String, Object> claims, Instant issuedAt, Duration lifetime) {
    return sign(claims, issuedAt, lifetime, key);
  }

  private String sign(Map<String, Object> claims, Instant issuedAt, Duration lifetime, RSAKey signingKey) {
    JWTClaimsSet.Builder set = new JWTClaimsSet.Builder()
        .issuer(url)
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(issuedAt))
        .notBeforeTime(Date.from(issuedAt))
        .expirationTime(Date.from(issuedAt.plus(lifetime)));
    claims.forEach(set::claim);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
        .keyID(signingKey.getKeyID()).build(), set.build());
    try {
      jwt.sign(new RSASSASigner(signingKey));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }

  /** {@code POST /mint} {@code {"audience", "repository", "ref", "sha", "claims": {...}}} → the token as text. */
  private void mintOverHttp(HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      answer(exchange, 405, "POST only");
      return;
    }
    try {
      Map<String, Object> body = com.nimbusds.jose.util.JSONObjectUtils.parse(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      @SuppressWarnings("unchecked")
      Map<String, Object> overrides = body.get("claims") instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
      answer(exchange, 200, githubActionsToken((String) body.get("audience"), (String) body.get("repository"),
          (String) body.get("ref"), (String) body.get("sha"), overrides));
    } catch (java.text.ParseException | RuntimeException e) {
      answer(exchange, 400, "cannot mint: " + e);
    }
  }

  private void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", status == 200 && body.startsWith("{")
        ? "application/json" : "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
