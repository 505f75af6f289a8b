package dev.orca.sync;

import dev.orca.schemas.StandaloneLogging;
import dev.orca.schemas.StaticMembership;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.StreamsTuning;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.metrics.MetricsEndpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import dev.orca.git.JGitCommitSource;
import dev.orca.sync.config.ConfigIndex;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
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
 * (exactly-once v2, application id {@code <prefix>sync-stream}) with a pool of git workers. A
 * record that cannot be processed goes to the dead letters; a stream thread that fails all the
 * same shuts the client down (state ERROR).
 */
public final class SyncStream implements AutoCloseable {

  static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(1);
  static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(5);
  /**
   * How long the stream thread waits for records when it has none: finished syncs are picked up by
   * a punctuator, which runs between polls, so this bounds how long a finished sync waits.
   */
  static final Duration POLL_WAIT = Duration.ofMillis(5);
  private static final Duration STARTUP_DEADLINE = Duration.ofMinutes(2);

  private final KafkaStreams streams;
  private final JGitCommitSource git;
  private final ExecutorService workers;
  private final DeadLetterCount deadLetters;
  private final MetricsEndpoint metrics;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private SyncStream(KafkaStreams streams, JGitCommitSource git, ExecutorService workers, DeadLetterCount deadLetters,
      MetricsEndpoint metrics) {
    this.metrics = metrics;
    this.streams = streams;
    this.git = git;
    this.workers = workers;
    this.deadLetters = deadLetters;
  }

  public static SyncStream start(SyncStreamSettings settings) {
    try (Admin admin = Admin.create(settings.kafkaSecurity().with(settings.kafkaBootstrap(), Map.of()))) {
      TopicAdmin.ensure(admin, settings.topics().sharedTopics(), Duration.ofSeconds(30));
    }
    try {
      Files.createDirectories(settings.stateDir());
      Files.createDirectories(settings.gitCacheDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create sync-stream directories", e);
    }
    JGitCommitSource git = new JGitCommitSource(settings.gitCacheDir(), settings.egress(), settings.gitTimeout(),
        settings.sshHosts());
    Properties properties =
        streamsProperties(KafkaAccess.syncStreamApplicationId(settings.topics()), settings.kafkaBootstrap(),
            settings.stateDir());
    properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replicationFactor());
    settings.kafkaSecurity().applyTo(properties);
    StaticMembership.apply(properties, StaticMembership.instanceId(System.getenv(), settings.stateDir()));
    StreamsTuning.applyLatency(properties, System.getenv());
    ExecutorService workers = gitWorkers(settings.gitWorkers());
    DeadLetterCount deadLetters = new DeadLetterCount();
    ConfigIndex index = new ConfigIndex(settings.topics().partitions(), git::forget);
    KafkaStreams streams = new KafkaStreams(SyncTopology.build(settings.topics(),
        new SyncTopology.Parts(git, RepositorySecrets.of(settings.appSecret(), settings.appSecretPrevious()), Clock.systemUTC(),
            settings.revisionWait(), workers, index, deadLetters)), properties);
    // Its own port, when ORCA_SYNC_METRICS_PORT says one (see MetricsEndpoint).
    MetricsEndpoint metrics;
    try {
      metrics = MetricsEndpoint.fromEnvironment(System.getenv(), "ORCA_SYNC", "sync-stream");
    } catch (RuntimeException e) {
      streams.close();
      workers.shutdownNow();
      git.close();
      throw e;
    }
    metrics.follow(streams);
    // How busy the git workers are: a queue that grows says remotes are slower than the syncs asked of them.
    new ExecutorServiceMetrics(workers, "sync.git.workers", java.util.List.of()).bindTo(metrics.registry());
    FunctionCounter.builder("orca.sync.dead.letters", deadLetters, DeadLetterCount::get)
        .description("Records sync-stream could not process, sent to the dead letters topic")
        .register(metrics.registry());
    SyncStream stream = new SyncStream(streams, git, workers, deadLetters, metrics);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stream.stopped.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(error -> {
      log().error("sync-stream thread failed; shutting down", error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    try {
      streams.start();
    } catch (RuntimeException e) {
      // Its metrics endpoint's server thread would keep a failed process alive.
      stream.close();
      throw e;
    }
    return stream;
  }

  /** Threads that run syncs' git work; each remote call on them is bounded by the git timeout. */
  private static ExecutorService gitWorkers(int count) {
    AtomicInteger next = new AtomicInteger();
    return Executors.newFixedThreadPool(count, task -> {
      Thread thread = new Thread(task, "sync-git-worker-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
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
    props.put(StreamsConfig.POLL_MS_CONFIG, POLL_WAIT.toMillis());
    return props;
  }

  /** The meters of this sync-stream (served on a port of its own when configured). */
  public MetricsEndpoint metrics() {
    return metrics;
  }

  /** How many records went to the dead letters since the start. */
  public long deadLetters() {
    return deadLetters.get();
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
    try {
      // Leave the group, so a restarted instance is not kept waiting for the session timeout.
      streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
      workers.shutdownNow();
      git.close();
    } finally {
      metrics.close();
    }
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
