package dev.orca.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Configuration writes through REST reach open dashboards like status changes do. */
class ConfigurationEventsIntegrationTest extends GatewayTestSupport {

  private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

  @Test
  void shouldStreamRepositoryCreateRenameAndDeleteOverSse() {
    Flux<ServerSentEvent<String>> stream = open();

    String id = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "live", "url", "https://git.example.com/acme/live.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    admin().put().uri("/api/v1/repositories/" + id)
        .bodyValue(Map.of("name", "renamed", "url", "https://git.example.com/acme/live.git"))
        .exchange().expectStatus().isOk();
    admin().delete().uri("/api/v1/repositories/" + id).exchange().expectStatus().is2xxSuccessful();

    StepVerifier.create(stream.filter(about(id)).take(3))
        .assertNext(event -> assertThat(event.event()).isEqualTo("repository"))
        .assertNext(event -> assertThat(event.event()).isEqualTo("repository"))
        .assertNext(event -> assertThat(event.data()).contains("\"deleted\":true"))
        .expectComplete()
        .verify(DEADLINE);
    assertThat(events(id)).containsExactly(Map.of("entity", "repository", "deleted", false),
        Map.of("entity", "repository", "deleted", false), Map.of("entity", "repository", "deleted", true));
  }

  @Test
  void shouldStreamAgentCreateRenameAndDeleteOverSse() {
    Flux<ServerSentEvent<String>> stream = open();

    String name = "live-" + UUID.randomUUID().toString().substring(0, 8);
    String id = (String) admin().post().uri("/api/v1/agents").bodyValue(Map.of("name", name))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    admin().put().uri("/api/v1/agents/" + id).bodyValue(Map.of("name", name + "-2"))
        .exchange().expectStatus().isOk();
    admin().delete().uri("/api/v1/agents/" + id).exchange().expectStatus().is2xxSuccessful();

    StepVerifier.create(stream.filter(about(id)).take(3))
        .assertNext(event -> assertThat(event.event()).isEqualTo("agent"))
        .assertNext(event -> assertThat(event.event()).isEqualTo("agent"))
        .assertNext(event -> assertThat(event.data()).contains("\"deleted\":true"))
        .expectComplete()
        .verify(DEADLINE);
    assertThat(events(id)).containsExactly(Map.of("entity", "agent", "deleted", false),
        Map.of("entity", "agent", "deleted", false), Map.of("entity", "agent", "deleted", true));
  }

  @Test
  void shouldStreamApplicationCreateAndUpdateOverSse() {
    String repositoryId = (String) admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "apps", "url", "https://git.example.com/acme/apps.git"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    String agentId = (String) admin().post().uri("/api/v1/agents")
        .bodyValue(Map.of("name", "host-" + UUID.randomUUID().toString().substring(0, 8)))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    Flux<ServerSentEvent<String>> stream = open();

    String id = (String) admin().post().uri("/api/v1/applications")
        .bodyValue(Map.of("name", "Live", "repositoryId", repositoryId, "agentId", agentId, "path", "compose.yaml"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("id");
    admin().put().uri("/api/v1/applications/" + id).bodyValue(Map.of("name", "Renamed"))
        .exchange().expectStatus().isOk();

    StepVerifier.create(stream.filter(about(id)).take(2))
        .assertNext(event -> assertThat(event.event()).isEqualTo("application"))
        .assertNext(event -> assertThat(event.data()).contains("\"name\":\"Renamed\""))
        .expectComplete()
        .verify(DEADLINE);
  }

  private Flux<ServerSentEvent<String>> open() {
    // exchange() returns once the headers arrived, i.e. once the server follows the live feed.
    return admin().get().uri("/api/v1/events").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
  }

  private static List<Map<String, Object>> events(String id) {
    return query("SELECT entity, deleted FROM events WHERE entity_id = ? ORDER BY seq", id);
  }

  private static Predicate<ServerSentEvent<String>> about(String id) {
    return event -> event.event() != null && event.data() != null && event.data().contains("\"id\":\"" + id + "\"");
  }
}
