package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

  @TempDir
  Path dataDir;

  @Test
  void shouldRefuseASecondHolderInThisProcessAndKeepTheFirstsLock() throws Exception {
    try (DataDirLock first = DataDirLock.acquire(dataDir, "in use")) {
      assertThatThrownBy(() -> DataDirLock.acquire(dataDir, "in use by the first")).hasMessage("in use by the first");
      // The refusal opened nothing: another process still finds the directory locked.
      assertThat(otherProcessCanLock()).isFalse();
    }
    assertThat(otherProcessCanLock()).isTrue();
    try (DataDirLock again = DataDirLock.acquire(dataDir, "in use")) {
      assertThat(dataDir.resolve(DataDirLock.FILE_NAME)).exists();
    }
  }

  @Test
  void shouldRefuseWhileAnotherProcessHoldsIt() throws Exception {
    Process holder = java("Hold", """
        public class Hold {
          public static void main(String[] args) throws Exception {
            var channel = java.nio.channels.FileChannel.open(java.nio.file.Path.of(args[0]),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            System.out.println(channel.tryLock() != null ? "locked" : "busy");
            Thread.sleep(60_000);
          }
        }
        """);
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");
      assertThatThrownBy(() -> DataDirLock.acquire(dataDir, "held elsewhere")).hasMessage("held elsewhere");
    } finally {
      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (DataDirLock mine = DataDirLock.acquire(dataDir, "in use")) {
      assertThat(mine).isNotNull();
    }
  }

  /** Whether a separate JVM can take the lock on the directory's lock file now. */
  private boolean otherProcessCanLock() throws Exception {
    Process probe = java("Probe", """
        public class Probe {
          public static void main(String[] args) throws Exception {
            var channel = java.nio.channels.FileChannel.open(java.nio.file.Path.of(args[0]),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            System.out.println(channel.tryLock() != null ? "locked" : "busy");
          }
        }
        """);
    String answer = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return answer.equals("locked");
  }

  /** A single-file Java program run in a JVM of its own, given the lock file's path. */
  private Process java(String name, String source) throws Exception {
    Path file = Files.createTempDirectory("lock-probe").resolve(name + ".java");
    Files.writeString(file, source);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(javaBin, file.toString(), dataDir.resolve(DataDirLock.FILE_NAME).toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
