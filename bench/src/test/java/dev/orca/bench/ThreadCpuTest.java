package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void shouldGroupThePoolsThreadsTogether() {
    assertThat(ThreadCpu.group("reactor-tcp-epoll-3")).isEqualTo("reactor-tcp-epoll-#");
    assertThat(ThreadCpu.group("kafka-producer-network-thread | producer-12")).isEqualTo(
        "kafka-producer-network-thread | producer-#");
    assertThat(ThreadCpu.group("orca-projector")).isEqualTo("orca-projector");
  }

  @Test
  void shouldCountTheCpuThisThreadUsedSinceAnEarlierSample() {
    ThreadCpu before = ThreadCpu.now();
    long x = 0;
    for (int i = 0; i < 5_000_000; i++) {
      x += Integer.toString(i).length();
    }
    assertThat(x).isPositive();
    assertThat(ThreadCpu.now().since(before)).containsKey(ThreadCpu.group(Thread.currentThread().getName()))
        .allSatisfy((group, seconds) -> assertThat(seconds).isGreaterThanOrEqualTo(0));
  }
}
