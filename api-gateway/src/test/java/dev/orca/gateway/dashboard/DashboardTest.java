package dev.orca.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.web.ApiException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.test.StepVerifier;

/** The dashboard's file rules against locations the shared test gateway does not use. */
class DashboardTest {

  @TempDir
  Path root;

  @Test
  void shouldAnswer404NamingTheMissingDashboardWhenTheBuildHasNoIndexHtml() {
    Dashboard dashboard = new Dashboard(location("classpath:/test-dashboard-without-index/"));

    for (String path : new String[] {"/", "/index.html", "/applications/123"}) {
      StepVerifier.create(dashboard.serve(request(path)))
          .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(ApiException.class, api -> {
            assertThat(api.status()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(api.getMessage()).isEqualTo("the dashboard is not part of this build");
          }))
          .verify(Duration.ofSeconds(5));
    }
    StepVerifier.create(dashboard.serve(request("/assets/only-Qr78St90.js")))
        .assertNext(response -> assertThat(response.statusCode()).isEqualTo(HttpStatus.OK))
        .verifyComplete();
  }

  @Test
  void shouldNeverServeAFileOutsideAFileSystemLocation() throws IOException {
    Path dashboard = Files.createDirectories(root.resolve("dashboard/assets"));
    Files.writeString(dashboard.resolveSibling("index.html"), "index");
    Files.writeString(dashboard.resolve("app-1.js"), "app");
    Files.writeString(root.resolve("secret.txt"), "secret");
    Files.createDirectories(root.resolve("dashboard/%2e%2e"));
    Dashboard served = new Dashboard(location(root.resolve("dashboard").toUri().toString()));

    StepVerifier.create(served.serve(request("/assets/app-1.js")))
        .assertNext(response -> assertThat(response.headers().getFirst(HttpHeaders.CACHE_CONTROL))
            .isEqualTo(Dashboard.IMMUTABLE))
        .verifyComplete();
    for (String attempt : new String[] {"/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt", "/%252e%252e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt",
        "/" + root.resolve("secret.txt").toString().replace("/", "%2f"), "/file:%2f%2f" + root.resolve("secret.txt")}) {
      StepVerifier.create(served.serve(request(attempt)))
          .expectErrorSatisfies(error -> assertThat(error).as(attempt).isInstanceOfSatisfying(ApiException.class,
              api -> assertThat(api.status()).isEqualTo(HttpStatus.NOT_FOUND)))
          .verify(Duration.ofSeconds(5));
    }
  }

  @Test
  void shouldLeaveApiPathsAndOtherMethodsToTheApi() {
    assertThat(Dashboard.handles(request("/"))).isTrue();
    assertThat(Dashboard.handles(request("/applications/1"))).isTrue();
    assertThat(Dashboard.handles(request("/apis"))).isTrue();
    assertThat(Dashboard.handles(request("/api"))).isFalse();
    assertThat(Dashboard.handles(request("/api/v1/agents"))).isFalse();
    assertThat(Dashboard.handles(request("/%61pi/v1/agents"))).isFalse();
    assertThat(Dashboard.handles(request("/api;x/v1/agents"))).isFalse();
    assertThat(Dashboard.handles(request("//api/v1/agents"))).isFalse();
    assertThat(Dashboard.handles(request(HttpMethod.POST, "/"))).isFalse();
    assertThat(Dashboard.handles(request(HttpMethod.HEAD, "/"))).isTrue();
  }

  private static Resource location(String location) {
    return new DefaultResourceLoader().getResource(location);
  }

  private static ServerRequest request(String path) {
    return request(HttpMethod.GET, path);
  }

  private static ServerRequest request(HttpMethod method, String path) {
    MockServerWebExchange exchange = MockServerWebExchange.from(
        MockServerHttpRequest.method(method, URI.create("http://localhost" + path)));
    return ServerRequest.create(exchange, HandlerStrategies.withDefaults().messageReaders());
  }
}
