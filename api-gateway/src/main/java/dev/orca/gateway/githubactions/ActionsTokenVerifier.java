package dev.orca.gateway.githubactions;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Set;

/**
 * Verifies GitHub Actions OIDC tokens with nimbus-jose-jwt: RS256 signed by a key the issuer
 * publishes (found through its discovery document, cached and refreshed by the JWK source),
 * {@code iss} the configured issuer, {@code aud} the public URL, within its validity (60 s of
 * clock skew), and carrying the claims a sync needs. Network reads are bounded (2 s each).
 */
final class ActionsTokenVerifier {

  /** GitHub's issuer. */
  static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
  private static final int TIMEOUT_MILLIS = 2_000;
  private static final int SIZE_LIMIT = 256 * 1024;

  private final String issuer;
  private final String audience;
  private final Set<String> audiences;
  private final DefaultResourceRetriever retriever = new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS,
      SIZE_LIMIT);
  private volatile DefaultJWTProcessor<SecurityContext> processor;

  /** Tokens of {@code issuer} for {@code publicUrl} (given without a trailing slash; tokens may name it with one). */
  ActionsTokenVerifier(String issuer, String publicUrl) {
    this.issuer = trimSlash(issuer);
    this.audience = publicUrl;
    this.audiences = Set.of(audience, audience + "/");
  }

  /** A token that failed verification, and why (safe to show: it names no secret). */
  static final class InvalidToken extends Exception {
    InvalidToken(String message) {
      super(message, null, false, false);
    }
  }

  /** The token's claims once it verifies; blocks on the issuer's keys the first time. */
  JWTClaimsSet verify(String token) throws InvalidToken {
    try {
      return processor().process(token, null);
    } catch (ParseException e) {
      throw new InvalidToken("the token is not a JWT");
    } catch (BadJOSEException e) {
      throw new InvalidToken(reason(e.getMessage()));
    } catch (JOSEException e) {
      throw new InvalidToken("cannot verify the token: " + e.getMessage());
    } catch (IOException e) {
      throw new InvalidToken("cannot read the issuer's keys from " + issuer + ": " + e.getMessage());
    }
  }

  private DefaultJWTProcessor<SecurityContext> processor() throws IOException {
    DefaultJWTProcessor<SecurityContext> current = processor;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (processor == null) {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUrl(), retriever)
            .retrying(true)
            .build();
        DefaultJWTProcessor<SecurityContext> created = new DefaultJWTProcessor<>();
        created.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        created.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audiences,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("sub", "repository", "ref", "sha", "event_name", "iat", "exp"), null));
        processor = created;
      }
      return processor;
    }
  }

  /** The key set's address, from the issuer's discovery document. */
  private URL jwksUrl() throws IOException {
    Resource discovery = retriever.retrieveResource(URI.create(issuer + "/.well-known/openid-configuration").toURL());
    try {
      String jwks = JSONObjectUtils.getString(JSONObjectUtils.parse(discovery.getContent()), "jwks_uri");
      if (jwks == null) {
        throw new IOException("the discovery document names no jwks_uri");
      }
      return URI.create(jwks).toURL();
    } catch (ParseException | IllegalArgumentException e) {
      throw new IOException("the discovery document is not valid: " + e.getMessage(), e);
    }
  }

  /** nimbus's reason, in words a workflow's author can act on. */
  private String reason(String message) {
    String text = message == null ? "" : message;
    if (text.contains("aud claim")) {
      return "its audience is not this Orca's public URL " + audience;
    }
    if (text.contains("iss claim")) {
      return "its issuer is not " + issuer;
    }
    if (text.contains("Expired JWT")) {
      return "it has expired";
    }
    if (text.contains("before use time")) {
      return "it is not valid yet";
    }
    if (text.contains("Signed JWT rejected") || text.contains("signature")) {
      return "its signature does not verify with the issuer's keys";
    }
    return text;
  }

  private static String trimSlash(String value) {
    String trimmed = value.trim();
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
