package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TableStatsTest {

  @Test
  void shouldKeepOnlyTheTablesSomethingHappenedToAndCountNewTablesFromZero() {
    TableStats before = new TableStats(100, Map.of(
        "agents", new TableStats.Table(1, 10, 5, 0, 20, 2),
        "events", new TableStats.Table(3, 0, 0, 0, 0, 1)));
    TableStats after = new TableStats(130, Map.of(
        "agents", new TableStats.Table(1, 25, 12, 0, 50, 2),
        "events", new TableStats.Table(3, 0, 0, 0, 0, 1),
        "bench", new TableStats.Table(4, 0, 0, 0, 0, 0)));

    TableStats delta = after.minus(before);

    assertThat(delta.transactions()).isEqualTo(30);
    assertThat(delta.tables()).containsOnlyKeys("agents", "bench");
    assertThat(delta.table("agents")).isEqualTo(new TableStats.Table(0, 15, 7, 0, 30, 0));
    assertThat(delta.table("bench").inserted()).isEqualTo(4);
    assertThat(delta.table("events")).isEqualTo(TableStats.NONE);
  }
}
