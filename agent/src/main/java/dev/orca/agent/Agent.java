package dev.orca.agent;

import dev.orca.schemas.KafkaAccess;
import dev.orca.agent.events.AgentMetrics;
import dev.orca.schemas.StandaloneLogging;
import dev.orca.schemas.metrics.MetricsEndpoint;
import dev.orca.agent.command.CommandLoop;
import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.compose.DockerComposeRuntime;
import dev.orca.agent.compose.EngineStatus;
import dev.orca.agent.events.EventPublisher;
import dev.orca.agent.health.HealthMonitor;
import dev.orca.agent.images.ImageChecker;
import dev.orca.agent.heartbeat.HeartbeatPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: the command loop on its own thread, health and heartbeats on a scheduler, image checks on another,
 * one producer to {@code agent.<id>.events}. {@link #start} returns at once; {@link #close}
 * interrupts a command in progress (it is redelivered) and stops within a few seconds.
 */
public final class Agent implements AutoCloseable {

  private final AgentSettings settings;
  private final ComposeRuntime runtime;
  private final EventPublisher events;
  private final CommandLoop loop;
  private final Thread loopThread;
  private final ScheduledExecutorService scheduler;
  /** Image checks pull, which may take minutes: they get a thread of their own. */
  private final ScheduledExecutorService imageChecks;
  /** How often the image check looks for applications whose interval has passed. */
  static final java.time.Duration IMAGE_CHECK_TICK = java.time.Duration.ofSeconds(5);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile AutoCloseable containerEvents;
  /** Its meters; null for a {@link #check}, which serves none. */
  private volatile MetricsEndpoint metrics;
  /** Whether the command loop was started: a {@link #check} never starts it. */
  private volatile boolean loopStarted;
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

  private Agent(AgentSettings settings, CompletableFuture<? extends ComposeRuntime> runtime) {
    this.settings = settings;
    String agentId = settings.agentId();
    String group = KafkaAccess.agentGroup(settings.topics(), agentId);
    this.events = new EventPublisher(settings.kafkaBootstrap(), settings.kafkaSecurity(),
        settings.topics().agentEvents(agentId), group + "-events");
    // The producer's first connection (TLS and SCRAM's round trips) overlaps the Docker probe
    // instead of waiting for the first heartbeat.
    events.connectLater(daemonThreads("orca-agent-connect"));
    try {
      this.runtime = runtime.join();
    } catch (java.util.concurrent.CompletionException e) {
      events.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    this.loop = new CommandLoop(settings.kafkaBootstrap(), settings.kafkaSecurity(), group,
        settings.topics().agentCommands(agentId), this.runtime, new DeploymentsDir(settings.deploymentsDir()), events,
        settings.concurrency(), settings.environmentKey());
    this.loopThread = new Thread(loop, "orca-agent-commands");
    this.scheduler = Executors.newScheduledThreadPool(2, daemonThreads("orca-agent-reports"));
    this.imageChecks = Executors.newSingleThreadScheduledExecutor(daemonThreads("orca-agent-images"));
  }

  /** The agent's metrics variables' prefix: {@code ORCA_AGENT_METRICS_PORT}, {@code ORCA_AGENT_METRICS_ADDRESS}. */
  static final String METRICS_PREFIX = "ORCA_AGENT";

  /** Starts the agent, its metrics served as the process's environment says (see {@link MetricsEndpoint}). */
  public static Agent start(AgentSettings settings) {
    return startWith(settings, probedRuntime(settings),
        MetricsEndpoint.fromEnvironment(System.getenv(), METRICS_PREFIX, "agent"));
  }

  private static CompletableFuture<DockerComposeRuntime> probedRuntime(AgentSettings settings) {
    // Docker's client, its first request and the compose probe (docker-compose v1 is a Python
    // program that takes half a second to print its version) take about as long as the Kafka
    // clients: they run meanwhile, so the first heartbeat need not wait for both in turn.
    ThreadFactory probe = daemonThreads("orca-agent-probe");
    return CompletableFuture.supplyAsync(
        () -> DockerComposeRuntime.probed(settings.deploymentsDir(), settings.dockerHost(), probe),
        task -> probe.newThread(task).start());
  }

  /**
   * {@code --check}: connects as the agent would, without taking any command, and says whether it
   * works. The broker must accept the credential and the certificate, describe the commands topic
   * to it (it may read them) and acknowledge one heartbeat (it may write its events; of a 1 s
   * interval, so the hub shows the agent online for 3 s only unless the agent starts); Docker and
   * compose are reported, and only warned about when missing (a running agent waits for them).
   * Its consumer never joins the agent's group, so a running agent with the same id goes on.
   * Returns the exit status: 0 when connected, 2 when the broker refused it, 1 otherwise.
   */
  static int check(AgentSettings settings, ComposeRuntime runtime) {
    Agent agent = new Agent(settings, CompletableFuture.completedFuture(runtime));
    try {
      EngineStatus status = runtime.status();
      int partitions = agent.loop.commandPartitions(CHECK_TIMEOUT);
      if (partitions == 0) {
        log().error("Check failed: the broker has no topic {} (the agent was deleted in Orca, or ORCA_TOPIC_PREFIX is"
            + " not the one of its connection settings)", settings.topics().agentCommands(settings.agentId()).name());
        return 1;
      }
      // A heartbeat of a 1 s interval: the hub counts the agent online for 3 s only, unless the
      // agent itself starts after the check.
      agent.events.publish(settings.agentId(), new HeartbeatPublisher(settings.agentId(), settings.agentVersion(),
          Duration.ofSeconds(1), runtime, agent.events, Clock.systemUTC()).heartbeat(status));
      log().info("Check passed: connected to {} as {}; may read {} ({} partitions) and write {}; {}",
          settings.kafkaBootstrap(), settings.kafkaSecurity().username() == null ? "an anonymous client"
              : settings.kafkaSecurity().username(), settings.topics().agentCommands(settings.agentId()).name(),
          partitions, settings.topics().agentEvents(settings.agentId()).name(), HeartbeatPublisher.describe(status));
      if (status.message() != null) {
        log().warn("{}", status.message());
      }
      return 0;
    } catch (RuntimeException e) {
      Throwable cause = e instanceof dev.orca.agent.events.PublishException && e.getCause() != null
          ? unwrap(e.getCause()) : e;
      if (cause instanceof org.apache.kafka.common.errors.AuthenticationException refused) {
        log().error("Check failed: the broker refused this agent: {}. {}", refused.getMessage(),
            CommandLoop.why(refused));
        return 2;
      }
      if (cause instanceof org.apache.kafka.common.errors.AuthorizationException denied) {
        log().error("Check failed: the broker does not let this agent read its commands or write its events ({}):"
            + " its credential was rotated or the agent deleted in Orca. Use its current connection settings.",
            denied.getMessage());
        return 2;
      }
      log().error("Check failed: {}", cause.getMessage());
      return 1;
    } finally {
      agent.close();
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Starts with the given runtime; tests pass a fake one. */
  static Agent start(AgentSettings settings, ComposeRuntime runtime) {
    return startWith(settings, CompletableFuture.completedFuture(runtime), MetricsEndpoint.unserved("agent"));
  }

  private static Agent startWith(AgentSettings settings, CompletableFuture<? extends ComposeRuntime> pending,
      MetricsEndpoint metrics) {
    Agent agent;
    try {
      agent = new Agent(settings, pending);
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
    agent.metrics = metrics;
    try {
      agent.events.observe(new AgentMetrics(metrics.registry()), metrics);
      agent.loop.bindMetrics(metrics);
      return started(agent, settings);
    } catch (RuntimeException e) {
      // Its metrics endpoint's server thread would keep a failed process alive.
      agent.close();
      throw e;
    }
  }

  private static Agent started(Agent agent, AgentSettings settings) {
    ComposeRuntime runtime = agent.runtime;
    agent.loopStarted = true;
    agent.loopThread.start();
    Clock clock = Clock.systemUTC();
    agent.scheduler.scheduleAtFixedRate(new HeartbeatPublisher(settings.agentId(), settings.agentVersion(),
        settings.heartbeatInterval(), runtime, agent.events, clock), 0,
        settings.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
    HealthMonitor health = new HealthMonitor(runtime, agent.events, clock, agent.scheduler,
        agent.loop.baselines());
    agent.scheduler.scheduleWithFixedDelay(health,
        settings.healthInterval().toMillis(), settings.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
    agent.containerEvents = runtime.watch(application -> health.changed());
    agent.imageChecks.scheduleWithFixedDelay(new ImageChecker(runtime, agent.loop.imageSubjects(), agent.events, clock),
        IMAGE_CHECK_TICK.toMillis(), IMAGE_CHECK_TICK.toMillis(), TimeUnit.MILLISECONDS);
    log().info("Agent {} started: commands from {}, events to {}, deployments in {}, Docker at {}",
        settings.agentId(), settings.topics().agentCommands(settings.agentId()).name(),
        settings.topics().agentEvents(settings.agentId()).name(), settings.deploymentsDir(), settings.dockerHost());
    return agent;
  }

  public boolean isRunning() {
    return !closed.get() && loopThread.isAlive();
  }

  /** The agent's meters (served on a port of its own when ORCA_AGENT_METRICS_PORT says one). */
  public MetricsEndpoint metrics() {
    return metrics;
  }

  /** Commands received and not finished yet (queued behind their application's or running). */
  int queuedCommands() {
    return loop.queued();
  }

  /** Whether the Docker engine answers now. */
  public boolean dockerAvailable() {
    return runtime.status().dockerAvailable();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.stop();
    if (!loopStarted) {
      loop.closeUnstarted();
    }
    try {
      if (containerEvents != null) {
        containerEvents.close();
      }
    } catch (Exception e) {
      log().debug("closing the container event stream", e);
    }
    scheduler.shutdownNow();
    imageChecks.shutdownNow();
    try {
      loopThread.join(5_000);
      scheduler.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    events.close();
    runtime.close();
    if (metrics != null) {
      metrics.close();
    }
    log().info("Agent {} stopped", settings.agentId());
  }

  /**
   * {@code --env-file PATH} reads the settings from a file (the connection settings' {@code
   * environmentFile}); variables of the environment win over it. Exits with status 2 when the
   * agent stops taking commands on its own: the broker refused its credential or its
   * certificate, or another process took its commands over (each said in the log). {@code
   * --check} connects, reports and exits instead ({@link #check}): a test of the settings, and
   * the run whose classes the one-paste command archives for a faster start (Java's CDS).
   */
  public static void main(String[] args) throws InterruptedException {
    StandaloneLogging.configure();
    boolean check = java.util.Arrays.asList(args).contains("--check");
    AgentSettings settings;
    java.util.Map<String, String> environment;
    try {
      environment = EnvFile.environment(
          java.util.Arrays.stream(args).filter(a -> !a.equals("--check")).toArray(String[]::new), System.getenv());
      settings = AgentSettings.fromEnvironment(environment);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      log().error("Cannot start the agent: {}", e.getMessage());
      System.exit(2);
      return;
    }
    if (check) {
      System.exit(check(settings, probedRuntime(settings).join()));
      return;
    }
    MetricsEndpoint metrics;
    try {
      metrics = MetricsEndpoint.fromEnvironment(environment, METRICS_PREFIX, "agent");
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      log().error("Cannot start the agent: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Agent agent = startWith(settings, probedRuntime(settings), metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "orca-agent-shutdown"));
    while (!stopped.await(1, TimeUnit.SECONDS)) {
      if (!agent.isRunning()) {
        log().error("Agent {} stopped taking commands; exiting", settings.agentId());
        System.exit(2);
      }
    }
  }

  /** Looked up on use, so main() can configure logging before the first logger exists. */
  private static Logger log() {
    return LoggerFactory.getLogger(Agent.class);
  }

  private static ThreadFactory daemonThreads(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
