package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortBookTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldReuseTheRememberedPortWhenItIsFree() {
    int first = new PortBook(dataDir).choose("kafka", 0, 0);
    assertThat(new PortBook(dataDir).choose("kafka", 0, 0)).isEqualTo(first);
  }

  @Test
  void shouldTakeAnExplicitPortAsIs() {
    assertThat(new PortBook(dataDir).choose("kafka", 40123, 0)).isEqualTo(40123);
  }

  @Test
  void shouldPickAnotherPortWhenTheRememberedOneIsTaken() throws Exception {
    int remembered = new PortBook(dataDir).choose("database", 0, 0);
    try (ServerSocket taken = new ServerSocket(remembered, 1, InetAddress.getLoopbackAddress())) {
      int chosen = new PortBook(dataDir).choose("database", 0, 0);
      assertThat(chosen).isNotEqualTo(remembered).isPositive();
    }
  }

  @Test
  void shouldPreferTheDefaultPortOnFirstUse() {
    int preferred = PortBook.freePort();
    assertThat(new PortBook(dataDir).choose("http", 0, preferred)).isEqualTo(preferred);
  }
}
