package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void shouldUseNearestRank() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (100 - i) * 1_000_000L;
    }
    Percentiles p = Percentiles.of(nanos);
    assertThat(p.percentileMillis(50)).isEqualTo(50.0);
    assertThat(p.percentileMillis(99)).isEqualTo(99.0);
    assertThat(p.percentileMillis(100)).isEqualTo(100.0);
    assertThat(p.meanMillis()).isEqualTo(50.5);
  }
}
