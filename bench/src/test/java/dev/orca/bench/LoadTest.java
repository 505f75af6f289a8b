package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadTest {

  @Test
  void shouldRunEveryIndexOnceOnAtMostConcurrencyThreads() throws Exception {
    Map<Integer, Integer> runs = new ConcurrentHashMap<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    Load.Result result = Load.run(500, 4, i -> {
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      runs.merge(i, 1, Integer::sum);
      inFlight.decrementAndGet();
      return i % 10 == 0 ? "429" : "202";
    });
    assertThat(runs).hasSize(500).allSatisfy((index, times) -> assertThat(times).isEqualTo(1));
    assertThat(mostInFlight.get()).isBetween(1, 4);
    assertThat(result.counts()).containsExactly(Map.entry("202", 450), Map.entry("429", 50));
    assertThat(result.latencies("202"::equals).count()).isEqualTo(450);
  }

  @Test
  void shouldLabelAFailedCallWithItsExceptionAndGoOn() throws Exception {
    Load.Result result = Load.run(3, 2, i -> {
      if (i == 1) {
        throw new IllegalStateException("boom");
      }
      return "ok";
    });
    assertThat(result.outcomes()).containsExactly("ok", "error: java.lang.IllegalStateException: boom", "ok");
  }

  @Test
  void shouldCountMatchingCallsPerSecondOfWallTime() {
    Load.Result result = new Load.Result(new long[] {1_000_000, 3_000_000, 2_000_000, 9_000_000},
        new String[] {"202", "202", "429", "202"}, 2_000_000_000L);
    assertThat(result.perSecond("202"::equals)).isEqualTo(1.5);
    assertThat(result.latencies("202"::equals).percentileMillis(50)).isEqualTo(3.0);
    assertThat(result.count("429"::equals)).isEqualTo(1);
    assertThat(result.wallSeconds()).isEqualTo(2.0);
  }

  @Test
  void shouldSplitACountIntoNearlyEqualRounds() {
    assertThat(Load.split(10, 4)).containsExactly(3, 3, 2, 2);
    assertThat(Load.split(8, 4)).containsExactly(2, 2, 2, 2);
    assertThat(Load.split(2, 4)).containsExactly(1, 1);
    assertThat(Load.split(0, 4)).containsExactly(0);
  }

  @Test
  void shouldAddTwoLoadsIntoOne() {
    Load.Result first = new Load.Result(new long[] {1}, new String[] {"202"}, 10);
    Load.Result second = new Load.Result(new long[] {2, 3}, new String[] {"429", "202"}, 20);
    Load.Result both = Load.Result.empty().plus(first).plus(second);
    assertThat(both.nanos()).containsExactly(1, 2, 3);
    assertThat(both.outcomes()).containsExactly("202", "429", "202");
    assertThat(both.wallNanos()).isEqualTo(30);
  }
}
