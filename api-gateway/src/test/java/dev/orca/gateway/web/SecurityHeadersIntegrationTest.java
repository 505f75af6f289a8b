package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.RawHttp;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every answer, API or page, success or error, carries the browser security headers. */
class SecurityHeadersIntegrationTest extends GatewayTestSupport {

  static final Map<String, String> EXPECTED = Map.of(
      "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
          + "frame-ancestors 'none'",
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "same-origin",
      "X-Frame-Options", "DENY");

  @Test
  void shouldSetTheSecurityHeadersOnApiAnswers() {
    assertSecurityHeaders(admin().get().uri("/api/v1/agents").exchange().expectStatus().isOk());
    assertSecurityHeaders(anonymous().get().uri("/api/v1/auth/setup").exchange().expectStatus().isOk());
    assertSecurityHeaders(admin().post().uri("/api/v1/auth/tokens").bodyValue(Map.of("name", "headers"))
        .exchange().expectStatus().isCreated());
  }

  @Test
  void shouldSetTheSecurityHeadersOnDashboardAnswers() {
    assertPageSecurityHeaders(anonymous().get().uri("/").exchange().expectStatus().isOk());
    assertPageSecurityHeaders(anonymous().get().uri("/applications/123").exchange().expectStatus().isOk());
    assertPageSecurityHeaders(anonymous().head().uri("/").exchange().expectStatus().isOk());
    assertSecurityHeaders(anonymous().get().uri("/assets/index-Ab12Cd34.js").exchange().expectStatus().isOk());
  }

  /** A page's policy is the same but for its own style nonce. */
  private static void assertPageSecurityHeaders(WebTestClient.ResponseSpec response) {
    response.expectHeader().values("Content-Security-Policy", values -> assertThat(values).hasSize(1));
    EXPECTED.forEach((name, value) -> {
      if (name.equals("Content-Security-Policy")) {
        String[] around = value.split("style-src 'self'", 2);
        response.expectHeader().valueMatches(name, Pattern.quote(around[0] + "style-src 'self' 'nonce-")
            + "[A-Za-z0-9+/]{22}==" + Pattern.quote("'" + around[1]));
      } else {
        response.expectHeader().valueEquals(name, value);
      }
    });
  }

  @Test
  void shouldSetTheSecurityHeadersOnErrorAnswers() {
    assertSecurityHeaders(anonymous().get().uri("/api/v1/agents").exchange().expectStatus().isUnauthorized());
    assertSecurityHeaders(admin().get().uri("/api/v1/no-such-route").exchange().expectStatus().isNotFound());
    assertSecurityHeaders(anonymous().get().uri("/assets/missing.js").exchange().expectStatus().isNotFound());
    assertSecurityHeaders(admin().post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"name\":").exchange().expectStatus().isBadRequest());
    assertSecurityHeaders(admin().post().uri("/api/v1/agents").contentType(MediaType.TEXT_PLAIN).bodyValue("x")
        .exchange().expectStatus().isEqualTo(415));
    assertSecurityHeaders(anonymous().post().uri("/api/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"email\":\"nobody@example.com\",\"password\":\"wrong-password\"}")
        .exchange().expectStatus().isUnauthorized());
    RawHttp.Response tooLarge = RawHttp.send(port, "POST", "/api/v1/auth/login", "Content-Type: application/json",
        "Content-Length: 2000000");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertSecurityHeaders(tooLarge::header);
    RawHttp.Response malformed = RawHttp.send(port, "GET", "/a%zz");
    assertThat(malformed.status()).isEqualTo(400);
    assertSecurityHeaders(malformed::header);
  }

  private static void assertSecurityHeaders(WebTestClient.ResponseSpec response) {
    response.expectHeader().values("Content-Security-Policy", values -> assertThat(values).hasSize(1));
    EXPECTED.forEach((name, value) -> response.expectHeader().valueEquals(name, value));
  }

  static void assertSecurityHeaders(Function<String, String> header) {
    EXPECTED.forEach((name, value) -> assertThat(header.apply(name)).as(name).isEqualTo(value));
  }
}
