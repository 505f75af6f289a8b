package dev.orca.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.orca.gateway.system.OrcaProperties;
import dev.orca.git.EgressPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Talks to OpenID providers with the Nimbus OAuth 2.0 / OpenID Connect SDK: reads a provider's
 * discovery document (kept an hour), exchanges a code with its PKCE verifier for tokens, and
 * validates the ID token (signature against the provider's published keys, issuer, audience,
 * expiry, nonce). Every request goes through an HTTP client of the egress guard (the address each
 * connection opens is checked, no redirect followed), after a check of the name as written.
 * Blocking: callers run it off the event loop.
 */
@Component
class OidcClient {

  private static final Duration DISCOVERY_KEPT = Duration.ofHours(1);
  private static final int READ_MS = 10_000;

  private final EgressPolicy egress;
  private final Map<String, Discovered> discovered = new ConcurrentHashMap<>();
  private final Map<String, IDTokenValidator> validators = new ConcurrentHashMap<>();
  /** Every request to a provider goes through it: the egress check on the address each connection opens. */
  private final org.apache.http.impl.client.CloseableHttpClient http;

  OidcClient(OrcaProperties properties) {
    this.egress = properties.egress();
    this.http = dev.orca.git.EgressHttpClients.create(egress, Duration.ofMillis(READ_MS));
  }

  @jakarta.annotation.PreDestroy
  void close() throws IOException {
    http.close();
  }

  /** Sends a Nimbus request with the guarded client; a refusal of the egress policy says so. */
  private com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse send(com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest request)
      throws IOException {
    org.apache.http.client.methods.HttpRequestBase outgoing = switch (request.getMethod()) {
      case GET -> new org.apache.http.client.methods.HttpGet(request.getURI());
      case POST -> {
        org.apache.http.client.methods.HttpPost post = new org.apache.http.client.methods.HttpPost(request.getURI());
        if (request.getBody() != null) {
          post.setEntity(new org.apache.http.entity.StringEntity(request.getBody(), java.nio.charset.StandardCharsets.UTF_8));
        }
        yield post;
      }
      default -> throw new IOException("method " + request.getMethod() + " is not used with a provider");
    };
    request.getHeaderMap().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        values.forEach(value -> outgoing.addHeader(name, value));
      }
    });
    try (org.apache.http.client.methods.CloseableHttpResponse answer = http.execute(outgoing)) {
      HTTPResponse response = new HTTPResponse(answer.getStatusLine().getStatusCode());
      response.setStatusMessage(answer.getStatusLine().getReasonPhrase());
      for (org.apache.http.Header header : answer.getAllHeaders()) {
        response.setHeader(header.getName(), header.getValue());
      }
      if (answer.getEntity() != null) {
        response.setBody(org.apache.http.util.EntityUtils.toString(answer.getEntity(), java.nio.charset.StandardCharsets.UTF_8));
      }
      return response;
    } catch (IOException e) {
      String refusal = dev.orca.git.EgressHttpClients.refusal(e);
      throw refusal == null ? e : new IOException("the provider's address " + refusal, e);
    }
  }

  /** Why a sign-in or a provider's set-up failed, in words for the person trying. */
  static final class OidcFailure extends Exception {
    private static final long serialVersionUID = 1L;

    OidcFailure(String message) {
      super(message, null, false, false);
    }
  }

  private record Discovered(OIDCProviderMetadata metadata, Instant at) {}

  /** What a successful sign-in tells about the person. */
  record Identity(String subject, String email, boolean emailVerified, String name, List<String> groups) {}

  OIDCProviderMetadata discover(String issuer) throws OidcFailure {
    Discovered cached = discovered.get(issuer);
    if (cached != null && cached.at().plus(DISCOVERY_KEPT).isAfter(Instant.now())) {
      return cached.metadata();
    }
    URI location = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
    checkEgress(location);
    OIDCProviderMetadata metadata;
    try {
      HTTPResponse response = new HTTPRequest(HTTPRequest.Method.GET, location).send(this::send);
      if (response.getStatusCode() != 200) {
        throw new OidcFailure("the provider's discovery document at " + location + " answered " + response.getStatusCode());
      }
      metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
    } catch (IOException e) {
      throw new OidcFailure("cannot read the provider's discovery document at " + location + ": " + e.getMessage());
    } catch (ParseException e) {
      throw new OidcFailure("the provider's discovery document at " + location + " is not valid: " + e.getMessage());
    }
    if (!metadata.getIssuer().getValue().equals(issuer)) {
      throw new OidcFailure("the provider calls itself " + metadata.getIssuer() + ", not " + issuer
          + ": use exactly its issuer");
    }
    if (metadata.getTokenEndpointURI() == null || metadata.getJWKSetURI() == null
        || metadata.getAuthorizationEndpointURI() == null) {
      throw new OidcFailure("the provider's discovery document names no authorization, token or key endpoint");
    }
    checkEgress(metadata.getTokenEndpointURI());
    checkEgress(metadata.getJWKSetURI());
    discovered.put(issuer, new Discovered(metadata, Instant.now()));
    return metadata;
  }

  /** Exchanges {@code code} for tokens and returns who signed in, once the ID token is valid. */
  Identity signIn(OidcProviders.Provider provider, String clientSecret, String code, URI redirectUri, String verifier,
      String nonce) throws OidcFailure {
    OIDCProviderMetadata metadata = discover(provider.issuer());
    ClientID clientId = new ClientID(provider.clientId());
    TokenRequest request = new TokenRequest(metadata.getTokenEndpointURI(),
        new ClientSecretBasic(clientId, new Secret(clientSecret)),
        new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, new CodeVerifier(verifier)));
    JWT idToken;
    try {
      checkEgress(metadata.getTokenEndpointURI());
      HTTPRequest httpRequest = request.toHTTPRequest();
      var response = OIDCTokenResponseParser.parse(httpRequest.send(this::send));
      if (!response.indicatesSuccess()) {
        ErrorObject error = ((TokenErrorResponse) response).getErrorObject();
        throw new OidcFailure("the provider refused the sign-in: " + error.getCode()
            + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")"));
      }
      idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
    } catch (IOException e) {
      throw new OidcFailure("cannot reach the provider's token endpoint: " + e.getMessage());
    } catch (ParseException e) {
      throw new OidcFailure("the provider's token answer is not valid: " + e.getMessage());
    }
    if (idToken == null) {
      throw new OidcFailure("the provider sent no ID token");
    }
    IDTokenClaimsSet claims;
    try {
      claims = validator(provider, metadata).validate(idToken, new Nonce(nonce));
    } catch (BadJOSEException e) {
      throw new OidcFailure("the provider's ID token is not valid: " + why(e));
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new OidcFailure("the provider's ID token cannot be checked: " + e.getMessage());
    }
    Object groups = claims.getClaim(provider.groupsClaim());
    List<String> groupList = groups instanceof List<?> list ? list.stream().map(String::valueOf).toList()
        : groups instanceof String one ? List.of(one) : List.of();
    return new Identity(claims.getSubject().getValue(), claims.getStringClaim("email"),
        Boolean.TRUE.equals(claims.getBooleanClaim("email_verified")), claims.getStringClaim("name"), groupList);
  }

  private IDTokenValidator validator(OidcProviders.Provider provider, OIDCProviderMetadata metadata) {
    String key = provider.id() + "|" + provider.updatedAt() + "|" + provider.clientId();
    return validators.computeIfAbsent(key, k -> {
      List<JWSAlgorithm> offered = metadata.getIDTokenJWSAlgs() == null ? List.of() : metadata.getIDTokenJWSAlgs();
      JWSAlgorithm algorithm = offered.contains(JWSAlgorithm.RS256) || offered.isEmpty() ? JWSAlgorithm.RS256
          : offered.get(0);
      try {
        return new IDTokenValidator(metadata.getIssuer(), new ClientID(provider.clientId()), algorithm,
            metadata.getJWKSetURI().toURL(), this::retrieveKeys);
      } catch (java.net.MalformedURLException e) {
        throw new IllegalArgumentException(e);
      }
    });
  }

  /** The provider's keys, fetched like everything else from it: egress checked, no redirect followed. */
  private com.nimbusds.jose.util.Resource retrieveKeys(java.net.URL url) throws IOException {
    URI uri;
    try {
      uri = url.toURI();
      checkEgress(uri);
    } catch (java.net.URISyntaxException | OidcFailure e) {
      throw new IOException(e.getMessage());
    }
    HTTPResponse response = new HTTPRequest(HTTPRequest.Method.GET, uri).send(this::send);
    if (response.getStatusCode() != 200) {
      throw new IOException("the provider's keys at " + uri + " answered " + response.getStatusCode());
    }
    return new com.nimbusds.jose.util.Resource(response.getBody(), response.getHeaderValue("Content-Type"));
  }

  private static String why(BadJOSEException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    if (message.contains("expired")) {
      return "it has expired";
    }
    if (message.contains("audience")) {
      return "it was issued for another client (audience)";
    }
    if (message.contains("nonce")) {
      return "it answers another sign-in (nonce)";
    }
    if (message.contains("issuer")) {
      return "another issuer signed it";
    }
    if (message.contains("signature") || message.contains("key")) {
      return "its signature does not match the provider's keys";
    }
    return e.getMessage();
  }

  /** The host of {@code uri}, as written and as it resolves now, must be one Orca may reach. */
  private void checkEgress(URI uri) throws OidcFailure {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new OidcFailure("the provider's address " + uri + " is not http(s)");
    }
    String refusal = egress.checkHost(uri.getHost());
    if (refusal != null) {
      throw new OidcFailure("the provider's address is refused: " + refusal);
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
        String why = egress.refusal(address);
        if (why != null) {
          throw new OidcFailure("the provider's address " + address.getHostAddress() + " (" + uri.getHost() + ") " + why);
        }
      }
    } catch (UnknownHostException e) {
      throw new OidcFailure("the provider's host " + uri.getHost() + " is unknown");
    }
  }
}
