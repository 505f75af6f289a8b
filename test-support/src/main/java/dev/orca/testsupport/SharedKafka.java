package dev.orca.testsupport;

import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One real Kafka broker (KRaft, in this JVM) shared by every test of the run, started on first
 * use: Orca's own {@link EmbeddedBroker}, so with its authorizer and its TLS and SCRAM listeners.
 * Tests that are not about security use its {@code PLAINTEXT} listener ({@link #bootstrapServers}),
 * whose anonymous principal is a super user; tests of principals and ACLs use {@link #broker()}.
 * {@code ORCA_TEST_KAFKA_BOOTSTRAP} points the tests at an external broker instead (then there is
 * no {@link #broker()}).
 */
public final class SharedKafka {

  private static final Duration START = Duration.ofSeconds(90);
  private static EmbeddedBroker broker;
  private static Path dir;
  private static String external = System.getenv("ORCA_TEST_KAFKA_BOOTSTRAP");

  private SharedKafka() {}

  /** The super-user listener without authentication (or the external broker). */
  public static synchronized String bootstrapServers() {
    if (external != null && !external.isBlank()) {
      return external;
    }
    return started().plaintextBootstrap();
  }

  /** The shared broker itself, for tests of its security; empty when the tests run against an external one. */
  public static synchronized Optional<EmbeddedBroker> broker() {
    if (external != null && !external.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(started());
  }

  private static EmbeddedBroker started() {
    if (broker == null) {
      try {
        dir = Files.createTempDirectory("orca-test-kafka");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      BrokerTls tls = BrokerTls.loadOrCreate(dir.resolve("tls"), List.of());
      broker = EmbeddedBroker.start(dir.resolve("log"), tls, new EmbeddedBroker.Ports(FreePorts.next(), FreePorts.next(),
          FreePorts.next(), FreePorts.next(), "127.0.0.1", FreePorts.next()), START);
      Path started = dir;
      // Stopped before its directory goes, so it does not write into a directory being deleted.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop();
        TempDirs.delete(started);
      }, "orca-test-kafka-cleanup"));
    }
    return broker;
  }

  /**
   * Stops the broker this JVM started, if any. For programs that exit by themselves (the
   * benches), so the broker stops before its directory goes.
   */
  public static synchronized void stop() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

}
