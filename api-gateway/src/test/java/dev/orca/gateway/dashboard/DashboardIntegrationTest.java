package dev.orca.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.RawHttp;
import dev.orca.gateway.web.ContentSecurityPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The dashboard served at {@code /} from the fixture in {@code src/test/resources/test-dashboard/}:
 * files with their type and caching, {@code index.html} for deep links, 404 for missing files,
 * nothing outside its location, and {@code /api} as it was.
 */
class DashboardIntegrationTest extends GatewayTestSupport {

  private static final MediaType HTML = MediaType.parseMediaType("text/html;charset=UTF-8");
  private static final String INDEX_MARKER = "test-dashboard-index";

  @Test
  void shouldServeIndexHtmlForTheRootAndByNameNeverStored() {
    for (String path : List.of("/", "/index.html")) {
      String body = anonymous().get().uri(path).exchange()
          .expectStatus().isOk()
          .expectHeader().contentType(HTML)
          .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
          .expectBody(String.class).returnResult().getResponseBody();
      assertThat(body).as(path).contains(INDEX_MARKER);
    }
  }

  @Test
  void shouldServeIndexHtmlForDeepLinks() {
    for (String path : List.of("/applications/123", "/applications/123/", "/agents", "/settings/tokens/new")) {
      assertThat(anonymous().get().uri(path).exchange()
          .expectStatus().isOk()
          .expectHeader().contentType(HTML)
          .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
          .expectBody(String.class).returnResult().getResponseBody()).as(path).contains(INDEX_MARKER);
    }
  }

  @Test
  void shouldGiveEveryPageItsOwnStyleNonceInThePageAndInItsPolicy() {
    Set<String> nonces = new HashSet<>();
    for (String path : List.of("/", "/", "/applications/123")) {
      var result = anonymous().get().uri(path).exchange().expectStatus().isOk()
          .expectBody(String.class).returnResult();
      Matcher inPage = Pattern.compile("<meta name=\"orca-csp-nonce\" content=\"([A-Za-z0-9+/=]+)\">")
          .matcher(result.getResponseBody());
      assertThat(inPage.find()).as("nonce in " + path).isTrue();
      String nonce = inPage.group(1);
      assertThat(Base64.getDecoder().decode(nonce)).hasSize(16);
      assertThat(result.getResponseHeaders().get("Content-Security-Policy"))
          .containsExactly(ContentSecurityPolicy.withStyleNonce(nonce));
      assertThat(result.getResponseBody()).doesNotContain(Dashboard.NONCE_PLACEHOLDER);
      nonces.add(nonce);
    }
    assertThat(nonces).hasSize(3);
    // Files other than the page keep the policy without a nonce.
    anonymous().get().uri("/assets/index-Ab12Cd34.js").exchange()
        .expectHeader().valueEquals("Content-Security-Policy", ContentSecurityPolicy.DEFAULT);
  }

  @Test
  void shouldServeAssetsWithTheirTypeAndCacheThemForever() {
    assertFile("/assets/index-Ab12Cd34.js", "text/javascript;charset=UTF-8", "test-dashboard-script");
    assertFile("/assets/index-Ef56Gh78.css", "text/css;charset=UTF-8", "#123456");
    assertFile("/assets/logo-Ij90Kl12.svg", "image/svg+xml", "width=\"2\"");
    assertFile("/assets/inter-Mn34Op56.woff2", "font/woff2", "wOF2-test-font");
    anonymous().get().uri("/assets/index-Ab12Cd34.js").exchange()
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable");

    anonymous().get().uri("/favicon.svg").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType("image/svg+xml")
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache");
  }

  @Test
  void shouldCompressScriptsForClientsThatAcceptIt() {
    byte[] plain = anonymous().get().uri("/assets/big-Qr78St90.js").exchange()
        .expectStatus().isOk()
        .expectHeader().doesNotExist(HttpHeaders.CONTENT_ENCODING)
        .expectBody(byte[].class).returnResult().getResponseBody();
    // A raw request: the test client would negotiate encodings itself.
    RawHttp.Response gzipped = RawHttp.send(port, "GET", "/assets/big-Qr78St90.js", "Accept-Encoding: gzip");
    assertThat(gzipped.status()).isEqualTo(200);
    assertThat(gzipped.header("Content-Encoding")).isEqualTo("gzip");
    assertThat(gzipped.bodyBytes().length).isLessThan(plain.length / 2);
    assertThat(gunzip(gzipped.bodyBytes())).isEqualTo(plain);
  }

  private static byte[] gunzip(byte[] bytes) {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void shouldAnswerHeadLikeGetWithoutABody() {
    byte[] script = anonymous().get().uri("/assets/index-Ab12Cd34.js").exchange()
        .expectBody(byte[].class).returnResult().getResponseBody();
    anonymous().head().uri("/assets/index-Ab12Cd34.js").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType("text/javascript;charset=UTF-8")
        .expectHeader().contentLength(script.length)
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable")
        .expectBody().isEmpty();
    anonymous().head().uri("/applications/123").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(HTML)
        .expectBody().isEmpty();
  }

  @Test
  void shouldAnswer404ForMissingFiles() {
    for (String path : List.of("/assets/missing.js", "/missing.png", "/applications/app.json",
        "/assets/index-Ab12Cd34.js/x.js")) {
      expectNotFound(anonymous().get().uri(path).exchange(), path);
    }
  }

  @Test
  void shouldKeepTheApiAsItWas() {
    expectNotFound(admin().get().uri("/api/v1/no-such-route").exchange(), "/api/v1/no-such-route");
    admin().get().uri("/api/v1/applications/index.html").exchange().expectStatus().isNotFound()
        .expectBody().jsonPath("$.error").isEqualTo("application not found");
    expectNotFound(admin().get().uri("/api").exchange(), "/api");
    expectNotFound(admin().get().uri("/api/").exchange(), "/api/");
    anonymous().get().uri("/api/v1/agents").exchange().expectStatus().isUnauthorized();
    anonymous().get().uri("/api/v2/anything").exchange().expectStatus().isUnauthorized();
    anonymous().get().uri(URI.create("http://127.0.0.1:" + port + "/%61pi/v1/agents")).exchange()
        .expectStatus().isUnauthorized();
    admin().get().uri("/api/v1/agents").exchange().expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON);
  }

  @Test
  void shouldAnswer404ToOtherMethodsOutsideTheApi() {
    for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH,
        HttpMethod.OPTIONS)) {
      for (String path : List.of("/", "/index.html", "/applications/123", "/assets/index-Ab12Cd34.js")) {
        anonymous().method(method).uri(path).exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error").isEqualTo("not found");
      }
    }
  }

  @Test
  void shouldNeverServeAFileOutsideItsLocation() {
    List<String> attempts = List.of(
        "/../outside-the-dashboard.txt",
        "/assets/../../outside-the-dashboard.txt",
        "/..%2foutside-the-dashboard.txt",
        "/..%2Foutside-the-dashboard.txt",
        "/%2e%2e/outside-the-dashboard.txt",
        "/%2e%2e%2foutside-the-dashboard.txt",
        "/assets/%2e%2e/%2e%2e/outside-the-dashboard.txt",
        "/assets/..%2f..%2foutside-the-dashboard.txt",
        "/..%5coutside-the-dashboard.txt",
        "/assets/..\\..\\outside-the-dashboard.txt",
        "/%252e%252e/outside-the-dashboard.txt",
        "//outside-the-dashboard.txt",
        "/./outside-the-dashboard.txt",
        "/../logback-test.xml",
        "/..%2flogback-test.xml",
        "/..%2f..%2fapplication.yaml",
        "/..%2fdev/orca/gateway/GatewayApplication.class",
        "/file:%2f%2f%2fetc%2fpasswd",
        "/%2fetc%2fpasswd",
        "/..;/outside-the-dashboard.txt");
    for (String attempt : attempts) {
      RawHttp.Response response = RawHttp.send(port, "GET", attempt);
      assertThat(response.status()).as(attempt).isIn(400, 404);
      assertThat(response.header("Content-Type")).as(attempt).isEqualTo("application/json");
      assertThat(response.body()).as(attempt).doesNotContain("secret-outside-the-dashboard")
          .doesNotContain("<configuration>").doesNotContain("spring:");
    }
  }

  private void assertFile(String path, String type, String content) {
    byte[] body = anonymous().get().uri(path).exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(type)
        .expectBody(byte[].class).returnResult().getResponseBody();
    assertThat(new String(body, StandardCharsets.UTF_8)).as(path).contains(content);
  }

  private static void expectNotFound(WebTestClient.ResponseSpec response, String path) {
    response.expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().jsonPath("$.error").value(error -> assertThat((String) error).as(path).isEqualTo("not found"));
  }
}
