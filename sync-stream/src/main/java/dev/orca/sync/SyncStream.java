package dev.orca.sync;

import dev.orca.schemas.StandaloneLogging;
import dev.orca.schemas.StaticMembership;
import dev.orca.schemas.StreamsTuning;
import dev.orca.schemas.TopicAdmin;
import dev.orca.git.JGitCommitSource;
import dev.orca.sync.git.RepositorySecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sync-stream topology: ensures the shared topics exist, then starts Kafka Streams
 * (exactly-once v2, application id {@code <prefix>sync-stream}). A failed stream thread shuts the
 * client down (state ERROR) rather than retrying a record that keeps failing.
 */
public final class SyncStream implements AutoCloseable {

  /** A git call may block the stream thread up to its timeout; the transaction must outlive it. */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(5);
  static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(10);
  private static final Duration STARTUP_DEADLINE = Duration.ofMinutes(2);

  private final KafkaStreams streams;
  private final JGitCommitSource git;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private SyncStream(KafkaStreams streams, JGitCommitSource git) {
    this.streams = streams;
    this.git = git;
  }

  public static SyncStream start(SyncStreamSettings settings) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap()))) {
      TopicAdmin.ensure(admin, settings.topics().sharedTopics(), Duration.ofSeconds(30));
    }
    try {
      Files.createDirectories(settings.stateDir());
      Files.createDirectories(settings.gitCacheDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create sync-stream directories", e);
    }
    JGitCommitSource git = new JGitCommitSource(settings.gitCacheDir(), settings.allowLocalGit(), settings.gitTimeout());
    Properties properties =
        streamsProperties(settings.topics().prefix() + "sync-stream", settings.kafkaBootstrap(), settings.stateDir());
    properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replicationFactor());
    StaticMembership.apply(properties, StaticMembership.instanceId(System.getenv(), settings.stateDir()));
    // Under exactly-once, output becomes visible to read_committed consumers only at a commit;
    // the default 100 ms interval would dominate a sync's latency.
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsTuning.commitIntervalMs(System.getenv()));
    KafkaStreams streams = new KafkaStreams(
        SyncTopology.build(settings.topics(), git, RepositorySecrets.of(settings.appSecret()), Clock.systemUTC(),
            settings.revisionWait()), properties);
    SyncStream stream = new SyncStream(streams, git);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stream.stopped.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(error -> {
      log().error("sync-stream thread failed; shutting down", error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    return stream;
  }

  static Properties streamsProperties(String applicationId, String bootstrap, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) TRANSACTION_TIMEOUT.toMillis());
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
        (int) MAX_POLL_INTERVAL.toMillis());
    return props;
  }

  /** True while the streams run or rebalance: alive, as opposed to stopped or failed. */
  public boolean isRunning() {
    return streams.state().isRunningOrRebalancing();
  }

  /** Waits until RUNNING; false when the deadline passes or the client stopped first. */
  public boolean awaitRunning(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (stopped.getCount() == 0 || System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  @Override
  public void close() {
    // Leave the group, so a restarted instance is not kept waiting for the session timeout.
    streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
    git.close();
  }

  /** Looked up late, so main can configure slf4j-simple before the first logger exists. */
  private static Logger log() {
    return LoggerFactory.getLogger(SyncStream.class);
  }

  public static void main(String[] args) throws InterruptedException {
    StandaloneLogging.configure();
    SyncStream stream = start(SyncStreamSettings.fromEnvironment(System.getenv()));
    Runtime.getRuntime().addShutdownHook(new Thread(stream::close, "sync-stream-stop"));
    if (!stream.awaitRunning(STARTUP_DEADLINE)) {
      log().error("sync-stream did not reach RUNNING within {} (state {})", STARTUP_DEADLINE, stream.streams.state());
      System.exit(1);
    }
    log().info("sync-stream running");
    stream.stopped.await();
    if (stream.streams.state() == KafkaStreams.State.ERROR) {
      System.exit(1);
    }
  }
}
