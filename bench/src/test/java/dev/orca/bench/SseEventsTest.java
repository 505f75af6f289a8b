package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {

  private final List<SseEvents.Event> events = new ArrayList<>();
  private final SseEvents stream = new SseEvents(events::add);

  private void lines(String... lines) {
    for (String line : lines) {
      stream.line(line);
    }
  }

  @Test
  void shouldDispatchAnEventAtTheBlankLineWithItsIdNameAndData() {
    lines(":connected", "", "id:42", "event:application", "data:{\"id\":\"a\"}", "");
    assertThat(events).containsExactly(new SseEvents.Event("42", "application", "{\"id\":\"a\"}"));
  }

  @Test
  void shouldJoinDataLinesDropOneLeadingSpaceAndKeepTheLastIdForLaterEvents() {
    lines("id: 7", "data: one", "data:  two", "", "data:three", "");
    assertThat(events).containsExactly(new SseEvents.Event("7", "message", "one\n two"),
        new SseEvents.Event("7", "message", "three"));
  }

  @Test
  void shouldDispatchNothingForCommentsOrAnEventWithoutData() {
    lines(": keepalive", "", "event:stream", "", "retry:1000", "");
    assertThat(events).isEmpty();
  }

  @Test
  void shouldFindAStringFieldOfTheTopLevelObjectButNotOneThatOnlyEndsWithItsName() {
    String json = "{\"latestCommit\":\"x\",\"commit\":\"many-0042\",\"updatedAt\":\"2026-12-04T04:15:05.888903Z\"}";
    assertThat(SseEvents.stringField(json, "commit")).isEqualTo("many-0042");
    assertThat(SseEvents.stringField(json, "updatedAt")).isEqualTo("2026-12-04T04:15:05.888903Z");
    assertThat(SseEvents.stringField(json, "name")).isNull();
    assertThat(SseEvents.stringField("{\"commit\":null}", "commit")).isNull();
  }
}
