package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentProcessTest {

  @Test
  void shouldReadTheUsedHeapOfEachCollectorWithoutMetaspace() {
    assertThat(AgentProcess.heapUsedKilobytes("""
         garbage-first heap   total 264192K, used 19456K [0x00000000a0000000, 0x0000000100000000)
          region size 1024K, 2 young (2048K), 0 survivors (0K)
         Metaspace       used 41234K, committed 41728K, reserved 1114112K
          class space    used 5012K, committed 5248K, reserved 1048576K
        """)).isEqualTo(19456);
    assertThat(AgentProcess.heapUsedKilobytes("""
         def new generation   total 4928K, used 128K [0x00000000fc000000, 0x00000000fc550000, 0x00000000fd550000)
          eden space 4416K,   2% used [0x00000000fc000000, 0x00000000fc020000, 0x00000000fc450000)
         tenured generation   total 10944K, used 9216K [0x00000000fd550000, 0x00000000fe000000, 0x0000000100000000)
         Metaspace       used 41234K, committed 41728K, reserved 1114112K
        """)).isEqualTo(9344);
    assertThat(AgentProcess.heapUsedKilobytes("no heap here")).isEqualTo(-1024);
  }
}
