package dev.orca.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldServeTheComponentsMetersOnLoopbackWithTheScrapeToken() throws Exception {
    try (MetricsEndpoint endpoint = MetricsEndpoint.fromEnvironment(
        Map.of("ORCA_SYNC_METRICS_PORT", "0", "ORCA_METRICS_TOKEN", "scrape-me"), "ORCA_SYNC", "sync-stream")) {
      endpoint.registry().counter("orca.sync.runs", "outcome", "success").increment(3);

      HttpResponse<String> scraped = get(endpoint.port(), "Bearer scrape-me");
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.body())
          .contains("orca_sync_runs_total{component=\"sync-stream\",outcome=\"success\"} 3.0")
          .contains("jvm_memory_used_bytes{");

      assertThat(get(endpoint.port(), null).statusCode()).isEqualTo(401);
      assertThat(get(endpoint.port(), "Bearer scrape-you").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void shouldServeWithoutATokenOnlyOnLoopback() throws Exception {
    try (MetricsEndpoint endpoint = MetricsEndpoint.served("agent", "127.0.0.1", 0, null)) {
      assertThat(get(endpoint.port(), null).statusCode()).isEqualTo(200);
    }
    assertThatThrownBy(() -> MetricsEndpoint.served("agent", "0.0.0.0", 0, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ORCA_METRICS_TOKEN");
  }

  @Test
  void shouldCountWithoutServingWhenNoPortIsSetAndRefuseABadPort() {
    try (MetricsEndpoint endpoint = MetricsEndpoint.fromEnvironment(Map.of(), "ORCA_AGENT", "agent")) {
      assertThat(endpoint.port()).isEqualTo(-1);
      endpoint.registry().counter("orca.agent.heartbeats").increment();
      assertThat(endpoint.scrape()).contains("orca_agent_heartbeats_total{component=\"agent\"} 1.0");
    }
    assertThatThrownBy(() -> MetricsEndpoint.fromEnvironment(Map.of("ORCA_AGENT_METRICS_PORT", "ninety"), "ORCA_AGENT",
        "agent")).hasMessageContaining("ORCA_AGENT_METRICS_PORT must be a port number");
  }

  private static HttpResponse<String> get(int port, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
