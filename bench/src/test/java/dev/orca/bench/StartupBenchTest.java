package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartupBenchTest {

  @Test
  void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(StartupBench.median(new double[] {9.0, 4.0, 5.0})).isEqualTo(5.0);
    assertThat(StartupBench.median(new double[] {4.0, 9.0, 5.0, 6.0})).isEqualTo(5.5);
    assertThat(StartupBench.median(new double[0])).isNaN();
  }
}
