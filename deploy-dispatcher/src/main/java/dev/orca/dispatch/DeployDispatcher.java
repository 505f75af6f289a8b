package dev.orca.dispatch;

import dev.orca.schemas.StandaloneLogging;
import dev.orca.schemas.StaticMembership;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.StreamsTuning;
import dev.orca.schemas.metrics.MetricsEndpoint;
import dev.orca.schemas.TopicAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the dispatch topology (application id {@code <prefix>deploy-dispatcher}, exactly-once)
 * until closed, beside the relay that copies every agent's results and heartbeats into
 * agent-reports. Reads deploy-requests and agent-reports, writes agent commands and status. Poison records are logged and skipped; a failure to produce stops it loudly.
 */
public final class DeployDispatcher implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final AgentReportRelay relay;

  private final MetricsEndpoint metrics;

  private DeployDispatcher(KafkaStreams streams, AgentReportRelay relay, MetricsEndpoint metrics) {
    this.streams = streams;
    this.relay = relay;
    this.metrics = metrics;
  }

  /** The meters of this dispatcher (served on a port of its own when configured). */
  public MetricsEndpoint metrics() {
    return metrics;
  }

  /** Creates the shared topics if needed, starts the streams and waits (bounded) until they run. */
  public static DeployDispatcher start(DispatcherSettings settings) {
    return start(settings, Clock.systemUTC());
  }

  /**
   * As {@link #start(DispatcherSettings)}, with the clock that stamps deployments and decides
   * when deadlines pass; tests use a clock they move by hand.
   */
  public static DeployDispatcher start(DispatcherSettings settings, Clock clock) {
    try (Admin admin = Admin.create(settings.kafkaSecurity().with(settings.kafkaBootstrap(), Map.of()))) {
      TopicAdmin.ensure(admin, settings.topics().sharedTopics(), ADMIN_TIMEOUT);
    }
    try {
      Files.createDirectories(settings.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + settings.stateDir(), e);
    }
    KafkaStreams streams = new KafkaStreams(
        DispatchTopology.build(settings.topics(), clock, settings.deployTimeout()),
        properties(settings));
    CountDownLatch settled = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR
          || now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING) {
        settled.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      log().error("deploy-dispatcher stops: {}", e.toString(), e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    AgentReportRelay relay = new AgentReportRelay(settings.topics(),
        settings.kafkaSecurity().with(settings.kafkaBootstrap(), Map.of()), instanceId(settings));
    // Its own port, when ORCA_DISPATCHER_METRICS_PORT says one (see MetricsEndpoint).
    MetricsEndpoint metrics;
    try {
      metrics = MetricsEndpoint.fromEnvironment(System.getenv(), "ORCA_DISPATCHER", "deploy-dispatcher");
    } catch (RuntimeException e) {
      streams.close();
      relay.close();
      throw e;
    }
    metrics.follow(streams);
    DeployDispatcher dispatcher = new DeployDispatcher(streams, relay, metrics);
    try {
      relay.start();
      streams.start();
    } catch (RuntimeException e) {
      dispatcher.close();
      throw e;
    }
    try {
      if (!settled.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || streams.state() != KafkaStreams.State.RUNNING) {
        KafkaStreams.State state = streams.state();
        dispatcher.close();
        throw new IllegalStateException("deploy-dispatcher did not reach RUNNING within " + START_TIMEOUT + " (" + state + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      dispatcher.close();
      throw new IllegalStateException("interrupted while starting deploy-dispatcher", e);
    }
    log().info("deploy-dispatcher running against {}", settings.kafkaBootstrap());
    return dispatcher;
  }

  /** The streams configuration the dispatcher runs with; package-private so tests drive the topology with it. */
  static Properties properties(DispatcherSettings settings) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, KafkaAccess.dispatcherApplicationId(settings.topics()));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replicationFactor());
    settings.kafkaSecurity().applyTo(props);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class);
    StaticMembership.apply(props, instanceId(settings));
    StreamsTuning.applyLatency(props, System.getenv());
    return props;
  }

  private static String instanceId(DispatcherSettings settings) {
    return StaticMembership.instanceId(System.getenv(), settings.stateDir());
  }

  /** True while the streams run or rebalance and the relay of agents' reports runs. */
  public boolean isRunning() {
    return streams.state().isRunningOrRebalancing() && relay.isRunning();
  }

  @Override
  public void close() {
    try {
      relay.close();
      // Leave the group, so a restarted instance is not kept waiting for the session timeout.
      streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true));
    } finally {
      // Its server thread would keep a stopped process alive.
      metrics.close();
    }
  }

  /** Looked up late, so main can configure slf4j-simple before the first logger exists. */
  private static Logger log() {
    return LoggerFactory.getLogger(DeployDispatcher.class);
  }

  public static void main(String[] args) throws InterruptedException {
    StandaloneLogging.configure();
    DeployDispatcher dispatcher = start(DispatcherSettings.fromEnvironment(System.getenv()));
    CountDownLatch stopping = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.countDown();
      dispatcher.close();
    }, "deploy-dispatcher-stop"));
    while (!stopping.await(1, TimeUnit.SECONDS)) {
      if (!dispatcher.isRunning()) {
        log().error("deploy-dispatcher stopped unexpectedly");
        System.exit(1);
      }
    }
  }
}
