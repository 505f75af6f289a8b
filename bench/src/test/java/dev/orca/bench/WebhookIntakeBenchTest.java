package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookIntakeBenchTest {

  @Test
  void shouldFillTheFixturesPlaceholdersInItsHeaders() {
    String lines = "Content-Type: application/json\nX-GitHub-Delivery: ${DELIVERY}\n\n"
        + "X-Hub-Signature-256: sha256=${SIGNATURE}\n";
    assertThat(WebhookIntakeBench.fixtureHeaders(lines, Map.of("${DELIVERY}", "d-1", "${SIGNATURE}", "abc")))
        .containsExactly(Map.entry("Content-Type", "application/json"), Map.entry("X-GitHub-Delivery", "d-1"),
            Map.entry("X-Hub-Signature-256", "sha256=abc"));
  }

  @Test
  void shouldTellAcceptedSyncsFoundOnceTwiceOrNever() {
    WebhookIntakeBench.SyncCount count = WebhookIntakeBench.SyncCount.of(List.of("a", "b", "c"),
        Map.of("a", 1, "b", 2, "x", 1), 4);
    assertThat(count).isEqualTo(new WebhookIntakeBench.SyncCount(3, 4, 1, 1, 1));
  }
}
