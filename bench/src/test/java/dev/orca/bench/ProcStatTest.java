package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void shouldAddUserAndSystemTimeAndCountChildrenApart() {
    String stat = "4242 (java (orca) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
        + "1250 250 30 20 20 0 60 0 100 4000000000 150000 18446744073709551615";
    String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmRSS:\t  524288 kB\nThreads:\t60\n";

    ProcStat usage = ProcStat.parse(stat, status);

    assertThat(usage.cpuSeconds()).isEqualTo(15.0);
    assertThat(usage.childCpuSeconds()).isEqualTo(0.5);
    assertThat(usage.rssMegabytes()).isEqualTo(512);
    assertThat(ProcStat.parentPid(stat)).isEqualTo(1);
  }

  @Test
  void shouldReadThisProcess() throws Exception {
    ProcStat usage = ProcStat.of(ProcessHandle.current().pid());
    assertThat(usage.cpuSeconds()).isPositive();
    assertThat(usage.rssMegabytes()).isPositive();
  }
}
