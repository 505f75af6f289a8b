package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.RawHttp;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Every error answers {@code {"error": "..."}} as JSON and never names a Java class or package,
 * including the answers Reactor Netty gives before Spring sees the request.
 */
class ErrorBodiesIntegrationTest extends GatewayTestSupport {

  private static final String VALID_REPOSITORY = "\"name\":\"typed\",\"url\":\"https://git.example.com/acme/typed.git\"";

  @Test
  void shouldAnswer415NamingTheExpectedContentType() {
    String error = expectError(admin().post().uri("/api/v1/agents").contentType(MediaType.TEXT_PLAIN).bodyValue("name")
        .exchange(), 415);
    assertThat(error).isEqualTo("Content-Type must be application/json");
    error = expectError(anonymous().post().uri("/api/v1/auth/login").contentType(MediaType.APPLICATION_XML)
        .bodyValue("<login/>").exchange(), 415);
    assertThat(error).isEqualTo("Content-Type must be application/json");
  }

  @Test
  void shouldAnswer400NamingTheJsonFieldOfTheWrongType() {
    assertThat(postRepository("{" + VALID_REPOSITORY + ",\"pollingInterval\":\"abc\"}"))
        .isEqualTo("pollingInterval must be a number");
    assertThat(postRepository("{" + VALID_REPOSITORY + ",\"pollingInterval\":true}"))
        .isEqualTo("pollingInterval must be a number");
    assertThat(postRepository("{" + VALID_REPOSITORY + ",\"pollingInterval\":99999999999}"))
        .isEqualTo("pollingInterval is out of range");
    assertThat(postRepository("{\"name\":{\"nested\":1},\"url\":\"https://git.example.com/acme/typed.git\"}"))
        .isEqualTo("name must be a string");
    assertThat(postRepository("{\"name\":[\"a\"],\"url\":\"https://git.example.com/acme/typed.git\"}"))
        .isEqualTo("name must be a string");
    assertThat(postRepository("[1,2]")).isEqualTo("the request body must be an object");
    assertThat(expectError(admin().put().uri("/api/v1/auth/profile").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"email\":{}}").exchange(), 400)).isEqualTo("email must be a string");
  }

  @Test
  void shouldAnswer400ForMalformedJson() {
    for (String body : new String[] {"{\"name\":", "{\"name\":\"x\",}", "{name:\"x\"}", "not json", "{\"name\":\"x\"}}",
        "{\"name\":\"tab\there\"}"}) {
      assertThat(postRepository(body)).as(body).isEqualTo("malformed JSON body");
    }
    String invalidUtf8 = expectError(admin().post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}).exchange(), 400);
    assertThat(invalidUtf8).isEqualTo("malformed JSON body");
  }

  @Test
  void shouldAnswer400NamingAQueryParameterOfTheWrongType() {
    assertThat(expectError(admin().delete().uri("/api/v1/applications/" + UUID.randomUUID() + "?wait=maybe").exchange(),
        400)).isEqualTo("wait must be true or false");
  }

  @Test
  void shouldAnswer405WithTheAllowedMethods() {
    WebTestClient.ResponseSpec response = admin().method(HttpMethod.PATCH).uri("/api/v1/agents")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x")).exchange();
    response.expectHeader().value(HttpHeaders.ALLOW, allow -> assertThat(allow).contains("GET").contains("POST"));
    assertThat(expectError(response, 405)).isEqualTo("method PATCH is not allowed here");
  }

  @Test
  void shouldAnswer406AsJsonEvenWhenJsonIsNotAccepted() {
    assertThat(expectError(admin().get().uri("/api/v1/agents").accept(MediaType.TEXT_HTML).exchange(), 406))
        .isEqualTo("Accept must allow application/json");
    assertThat(expectError(admin().get().uri("/api/v1/events").accept(MediaType.APPLICATION_JSON).exchange(), 406))
        .isEqualTo("Accept must allow text/event-stream");
  }

  @Test
  void shouldAnswer4xxAsJsonToContentTypesAndAcceptHeadersItCannotParse() {
    String login = "{\"email\":\"nobody@example.com\",\"password\":\"wrong-password\"}";
    for (String header : new String[] {"Content-Type: garbage", "Content-Type: application/json; charset=nope",
        "Content-Type: application/json; charset=utf-16", "Content-Type: application/json;;;=",
        "Accept: garbage", "Accept: application/json;q=x"}) {
      String[] headers = header.startsWith("Accept") ? new String[] {"Content-Type: application/json", header}
          : new String[] {header};
      RawHttp.Response response = RawHttp.sendWithBody(port, "POST", "/api/v1/auth/login", login, headers);
      assertThat(response.status()).as(header).isBetween(400, 499);
      assertThat(response.header("Content-Type")).as(header).isEqualTo("application/json");
      assertNoJavaNames(response.body());
    }
  }

  @Test
  void shouldAnswer414And431AsJsonWithTheSecurityHeaders() {
    RawHttp.Response uriTooLong = RawHttp.send(port, "GET", "/api/v1/agents/" + "a".repeat(10_000));
    assertJsonError(uriTooLong, 414, "request URI is too long");

    RawHttp.Response headersTooLarge = RawHttp.send(port, "GET", "/api/v1/health", "X-Big: " + "a".repeat(10_000));
    assertJsonError(headersTooLarge, 431, "request header fields are too large");

    for (RawHttp.Response response : new RawHttp.Response[] {uriTooLong, headersTooLarge}) {
      SecurityHeadersIntegrationTest.assertSecurityHeaders(response::header);
    }
  }

  @Test
  void shouldAnswerRequestsTheHttpLayerCannotReadAsJson() {
    assertJsonError(RawHttp.exchange(port, "GARBAGE\r\n\r\n".getBytes(), DEADLINE), 400, "malformed HTTP request");
    assertJsonError(RawHttp.send(port, "GET", "/api/v1/health", "X-Bad: a\u0000b"), 400, "malformed HTTP request");
    assertJsonError(RawHttp.send(port, "GET", "/a%zz"), 400, "malformed HTTP request");
    assertJsonError(RawHttp.send(port, "GET", "/a|{b}"), 400, "malformed HTTP request");

    RawHttp.Response head = RawHttp.send(port, "HEAD", "/a%zz");
    assertThat(head.status()).isEqualTo(400);
    assertThat(head.header("Content-Type")).isEqualTo("application/json");
    assertThat(head.header("Transfer-Encoding")).isNull();
    assertThat(head.body()).isEmpty();
  }

  @Test
  void shouldAnswerUnknownRoutesAndMissingAuthenticationAsJson() {
    assertThat(expectError(admin().get().uri("/api/v1/no-such-route").exchange(), 404)).isEqualTo("not found");
    assertThat(expectError(admin().post().uri("/api/v1/no-such-route").exchange(), 404)).isEqualTo("not found");
    assertThat(expectError(anonymous().get().uri("/api/v1/agents").exchange(), 401))
        .isEqualTo("authentication required");
    assertThat(expectError(admin().post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON).exchange(), 400))
        .isNotBlank();
  }

  @Test
  void shouldAnswer413AsJson() {
    RawHttp.Response response = RawHttp.send(port, "POST", "/api/v1/auth/login", "Content-Type: application/json",
        "Content-Length: 2000000");
    assertJsonError(response, 413, "request body is larger than 1 MiB");
  }

  private String postRepository(String body) {
    return expectError(admin().post().uri("/api/v1/repositories").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange(), 400);
  }

  /** The error message, after asserting the status, a JSON body of just "error", and no Java names. */
  private static String expectError(WebTestClient.ResponseSpec response, int status) {
    String body = response.expectStatus().isEqualTo(status)
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody(String.class).returnResult().getResponseBody();
    assertNoJavaNames(body);
    assertThat(body).startsWith("{\"error\":\"").endsWith("\"}");
    return body.substring("{\"error\":\"".length(), body.length() - 2);
  }

  private static void assertJsonError(RawHttp.Response response, int status, String error) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(response.body()).isEqualTo("{\"error\":\"" + error + "\"}");
    assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(response.body().length()));
  }

  static void assertNoJavaNames(String body) {
    assertThat(body).doesNotContain("java.").doesNotContain("dev.orca").doesNotContain("tools.jackson")
        .doesNotContain("class").doesNotContain("Exception").doesNotContain("$");
  }
}
