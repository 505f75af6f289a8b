package dev.orca.launcher;

import dev.orca.agent.Agent;
import dev.orca.agent.AgentSettings;
import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.agent.LocalAgent;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * All of Orca in this JVM: the broker and database ({@link Infrastructure}), then sync-stream,
 * deploy-dispatcher, the API gateway and the local agent the gateway registered. Closing stops them
 * in reverse order (agent, gateway, dispatcher, sync-stream, broker, database). Used by
 * {@code ./orca up} and by end-to-end tests, which start it on free ports in a temporary directory.
 */
public final class LocalOrca implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalOrca.class);
  static final String KAFKA_PORT = "kafka";
  static final String KAFKA_CONTROLLER_PORT = "kafka-controller";
  static final String DATABASE_PORT = "postgres";
  private static final Duration STOP_WAIT = Duration.ofSeconds(90);

  private final Deque<Part> parts = new ArrayDeque<>();
  /** Read by the main thread's watchdog while start-up may still add entries. */
  private final Map<String, BooleanSupplier> liveness = Collections.synchronizedMap(new LinkedHashMap<>());
  private int httpPort;
  private String kafkaBootstrap;
  private String databaseUrl;
  private String localAgentId;
  private String url;
  private boolean dockerAvailable;
  private String dockerHost;
  private volatile boolean closed;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread backstop = new Thread(this::close, "orca-local-stop");

  private LocalOrca() {}

  /** Starts everything or, if any part fails, stops what did start and rethrows. */
  public static LocalOrca start(LocalSettings settings) {
    LocalOrca orca = new LocalOrca();
    orca.run(settings);
    return orca;
  }

  /** Not started yet: lets a caller install its shutdown hook before starting, so Ctrl-C during start-up also stops cleanly. */
  static LocalOrca prepare() {
    return new LocalOrca();
  }

  /**
   * Starts the parts in order; {@link #close()} from another thread stops the start-up early. A
   * shutdown hook stops everything in order if the JVM exits without {@link #close()}, so no
   * PostgreSQL server outlives it.
   */
  void run(LocalSettings settings) {
    Runtime.getRuntime().addShutdownHook(backstop);
    try {
      startParts(settings);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void startParts(LocalSettings settings) {
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
    }
    String appSecret = AppSecret.resolve(settings.dataDir(), settings.appSecret());

    Infrastructure infrastructure = Infrastructure.start(settings);
    add("infrastructure", infrastructure);
    kafkaBootstrap = infrastructure.kafkaBootstrap();
    databaseUrl = infrastructure.databaseUrl();

    httpPort = settings.httpPort() > 0 ? settings.httpPort() : PortBook.freePort();
    Map<String, String> env = componentEnvironment(settings, appSecret);
    url = env.get("ORCA_PUBLIC_URL");

    // Logging is set up once for the whole JVM (logback.xml); Spring re-initialising it while the
    // other components log would drop their lines.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    // The three only meet through Kafka topics, which each creates idempotently: start them side
    // by side, then keep them in a fixed order so closing is always gateway, dispatcher, sync-stream.
    ExecutorService starter = Executors.newFixedThreadPool(3, runnable -> {
      Thread thread = new Thread(runnable, "orca-start");
      thread.setDaemon(true);
      return thread;
    });
    CompletableFuture<SyncStream> syncStream = CompletableFuture.supplyAsync(
        () -> timed("sync-stream", () -> SyncStream.start(SyncStreamSettings.fromEnvironment(env))), starter);
    CompletableFuture<DeployDispatcher> dispatcher = CompletableFuture.supplyAsync(
        () -> timed("deploy-dispatcher", () -> DeployDispatcher.start(DispatcherSettings.fromEnvironment(env))), starter);
    CompletableFuture<ConfigurableApplicationContext> gatewayStart = CompletableFuture.supplyAsync(
        () -> timed("api-gateway", () -> new SpringApplicationBuilder(GatewayApplication.class)
            .properties(gatewayProperties(env))
            .registerShutdownHook(false)
            .logStartupInfo(false)
            .run()), starter);
    starter.shutdown();
    RuntimeException failure = null;
    failure = keep("sync-stream", syncStream, s -> s::isRunning, failure);
    failure = keep("deploy-dispatcher", dispatcher, d -> d::isRunning, failure);
    failure = keep("api-gateway", gatewayStart, g -> g::isActive, failure);
    if (failure != null) {
      throw failure;
    }
    ConfigurableApplicationContext gateway = gatewayStart.join();

    localAgentId = gateway.getBean(LocalAgent.class).id();
    Map<String, String> agentEnv = new HashMap<>(env);
    agentEnv.put("ORCA_AGENT_ID", localAgentId);
    AgentSettings agentSettings = AgentSettings.fromEnvironment(agentEnv);
    Agent agent = timed("local agent " + localAgentId, () -> Agent.start(agentSettings));
    add("agent", agent);
    liveness.put("agent", agent::isRunning);
    dockerHost = agentSettings.dockerHost();
    dockerAvailable = agent.dockerAvailable();
  }

  /**
   * Waits for a part started in the background and keeps it for {@link #close()} and the liveness
   * check; returns the first failure seen so far so every part that did start is still kept.
   */
  private <T extends AutoCloseable> RuntimeException keep(String name, CompletableFuture<T> start,
      Function<T, BooleanSupplier> running, RuntimeException earlier) {
    T part;
    try {
      part = start.join();
    } catch (CompletionException e) {
      if (earlier != null) {
        earlier.addSuppressed(e.getCause());
        return earlier;
      }
      return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(name + " did not start", e.getCause());
    }
    try {
      add(name, part);
    } catch (IllegalStateException stopping) {
      return earlier != null ? earlier : stopping;
    }
    liveness.put(name, running.apply(part));
    return earlier;
  }

  /** Keeps a started part for {@link #close()}; if closing already began, stops it at once instead. */
  private void add(String name, AutoCloseable part) {
    synchronized (this) {
      if (!closed) {
        parts.push(new Part(name, part));
        return;
      }
    }
    try {
      part.close();
    } catch (Exception e) {
      log.warn("{} did not stop cleanly: {}", name, e.toString());
    }
    throw new IllegalStateException("Orca is stopping; start-up abandoned after " + name);
  }

  /**
   * The {@code ORCA_*} variables the non-Spring components read: the caller's environment with the
   * launcher's choices on top (the broker, database, data directory, secret and HTTP port).
   */
  private Map<String, String> componentEnvironment(LocalSettings settings, String appSecret) {
    Map<String, String> env = new HashMap<>(settings.environment());
    env.put("ORCA_KAFKA_BOOTSTRAP", kafkaBootstrap);
    env.put("ORCA_DATABASE_URL", databaseUrl);
    env.put("ORCA_DATA_DIR", settings.dataDir().toString());
    env.put("APP_SECRET", appSecret);
    env.put("ORCA_HTTP_PORT", String.valueOf(httpPort));
    env.putIfAbsent("ORCA_ALLOW_LOCAL_GIT", "true");
    env.putIfAbsent("ORCA_PUBLIC_URL", "http://localhost:" + httpPort);
    return Map.copyOf(env);
  }

  private static Map<String, Object> gatewayProperties(Map<String, String> env) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("orca.kafka-bootstrap", env.get("ORCA_KAFKA_BOOTSTRAP"));
    props.put("orca.database-url", env.get("ORCA_DATABASE_URL"));
    props.put("orca.app-secret", env.get("APP_SECRET"));
    props.put("orca.public-url", env.get("ORCA_PUBLIC_URL"));
    props.put("orca.allow-local-git", env.get("ORCA_ALLOW_LOCAL_GIT"));
    props.put("orca.local-agent.enabled", "true");
    props.put("server.port", env.get("ORCA_HTTP_PORT"));
    props.put("server.address", "127.0.0.1");
    copy(env, "ORCA_TOPIC_PREFIX", props, "orca.topic-prefix");
    copy(env, "ORCA_TOPIC_PARTITIONS", props, "orca.topic-partitions");
    copy(env, "ORCA_TOPIC_REPLICATION", props, "orca.topic-replication");
    copy(env, "ORCA_DEPLOY_TIMEOUT_SECONDS", props, "orca.deploy-timeout-seconds");
    return props;
  }

  private static void copy(Map<String, String> env, String variable, Map<String, Object> props, String key) {
    String value = env.get(variable);
    if (value != null && !value.isBlank()) {
      props.put(key, value);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /** {@code postgresql://user:password@host:port/db}, as the gateway reads it. */
  public String databaseUrl() {
    return databaseUrl;
  }

  public String localAgentId() {
    return localAgentId;
  }

  /** Where the web UI and the API answer, e.g. {@code http://localhost:8080}. */
  public String url() {
    return url;
  }

  /** Whether the local agent reached a Docker engine when it started. */
  public boolean dockerAvailable() {
    return dockerAvailable;
  }

  public String dockerHost() {
    return dockerHost;
  }

  /** Components that have stopped on their own; empty while all is well. */
  public List<String> stoppedComponents() {
    List<String> stopped = new ArrayList<>();
    synchronized (liveness) {
      liveness.forEach((name, running) -> {
        if (!running.getAsBoolean()) {
          stopped.add(name);
        }
      });
    }
    return stopped;
  }

  /** Stops everything in reverse start order; a concurrent caller waits (bounded) until that is done. */
  @Override
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closed;
      closed = true;
    }
    if (!first) {
      awaitStopped();
      return;
    }
    try {
      stopParts();
    } finally {
      stopped.countDown();
      removeBackstop();
    }
  }

  private void stopParts() {
    while (true) {
      Part part;
      synchronized (this) {
        if (parts.isEmpty()) {
          return;
        }
        part = parts.pop();
      }
      long started = System.nanoTime();
      try {
        part.resource().close();
        log.info("Stopped {} in {} ms", part.name(), Infrastructure.millisSince(started));
      } catch (Exception e) {
        log.warn("{} did not stop cleanly: {}", part.name(), e.toString());
      }
    }
  }

  private void awaitStopped() {
    if (Thread.currentThread() == backstop) {
      return;
    }
    try {
      if (!stopped.await(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        log.warn("Orca still stopping after {}", STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void removeBackstop() {
    if (Thread.currentThread() == backstop) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(backstop);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The JVM is already shutting down, or the hook was never added: nothing to remove.
    }
  }

  private static <T> T timed(String what, java.util.function.Supplier<T> step) {
    long started = System.nanoTime();
    T result = step.get();
    log.info("{} ready in {} ms", what, Infrastructure.millisSince(started));
    return result;
  }

  private record Part(String name, AutoCloseable resource) {}
}
