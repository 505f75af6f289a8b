package dev.orca.agent;

import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.StandaloneLogging;
import dev.orca.agent.command.CommandLoop;
import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.compose.DockerComposeRuntime;
import dev.orca.agent.events.EventPublisher;
import dev.orca.agent.health.HealthMonitor;
import dev.orca.agent.images.ImageChecker;
import dev.orca.agent.heartbeat.HeartbeatPublisher;
import java.time.Clock;
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

  private Agent(AgentSettings settings, ComposeRuntime runtime) {
    this.settings = settings;
    this.runtime = runtime;
    String agentId = settings.agentId();
    String group = KafkaAccess.agentGroup(settings.topics(), agentId);
    this.events = new EventPublisher(settings.kafkaBootstrap(), settings.kafkaSecurity(),
        settings.topics().agentEvents(agentId), group + "-events");
    this.loop = new CommandLoop(settings.kafkaBootstrap(), settings.kafkaSecurity(), group,
        settings.topics().agentCommands(agentId), runtime, new DeploymentsDir(settings.deploymentsDir()), events,
        settings.concurrency(), settings.environmentKey());
    this.loopThread = new Thread(loop, "orca-agent-commands");
    this.scheduler = Executors.newScheduledThreadPool(2, daemonThreads("orca-agent-reports"));
    this.imageChecks = Executors.newSingleThreadScheduledExecutor(daemonThreads("orca-agent-images"));
  }

  public static Agent start(AgentSettings settings) {
    return start(settings, new DockerComposeRuntime(settings.deploymentsDir(), settings.dockerHost()));
  }

  /** Starts with the given runtime; tests pass a fake one. */
  static Agent start(AgentSettings settings, ComposeRuntime runtime) {
    Agent agent = new Agent(settings, runtime);
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
    log().info("Agent {} stopped", settings.agentId());
  }

  /**
   * {@code --env-file PATH} reads the settings from a file (the connection settings' {@code
   * environmentFile}); variables of the environment win over it. Exits with status 2 when the
   * agent stops taking commands on its own: the broker refused its credential or its
   * certificate, or another process took its commands over (each said in the log).
   */
  public static void main(String[] args) throws InterruptedException {
    StandaloneLogging.configure();
    AgentSettings settings;
    try {
      settings = AgentSettings.fromEnvironment(EnvFile.environment(args, System.getenv()));
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      log().error("Cannot start the agent: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Agent agent = start(settings);
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
