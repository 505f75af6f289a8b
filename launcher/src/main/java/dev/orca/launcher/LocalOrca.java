package dev.orca.launcher;

import dev.orca.agent.Agent;
import dev.orca.agent.AgentSettings;
import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.agent.LocalAgent;
import dev.orca.schemas.KafkaAccess;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * All of Orca in this JVM: the broker and database ({@link Infrastructure}), sync-stream,
 * deploy-dispatcher, the API gateway and the local agent the gateway registered, each started as
 * soon as what it needs is ready. Closing stops them in reverse order (agent, gateway, dispatcher,
 * sync-stream, broker, database). Used by {@code ./orca up} and by end-to-end tests, which start it
 * on free ports in a temporary directory.
 */
public final class LocalOrca implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalOrca.class);
  static final String KAFKA_PORT = "kafka";
  static final String KAFKA_CONTROLLER_PORT = "kafka-controller";
  static final String DATABASE_PORT = "postgres";
  private static final Duration STOP_WAIT = Duration.ofSeconds(150);
  /** How long closing waits for parts still starting; the dispatcher's own start deadline is 60 s. */
  private static final Duration START_WAIT = Duration.ofSeconds(60);

  /** What has started, by part, whatever order they finished starting in. Guarded by {@code this}. */
  private final EnumMap<Part, AutoCloseable> started = new EnumMap<>(Part.class);
  /** Read by the main thread's watchdog while start-up may still add entries. */
  private final Map<String, BooleanSupplier> liveness = Collections.synchronizedMap(new LinkedHashMap<>());
  private int httpPort;
  private String kafkaBootstrap;
  private Infrastructure infrastructure;
  private String databaseUrl;
  private String localAgentId;
  private String url;
  private boolean dockerAvailable;
  private String dockerHost;
  /** Set once {@link #close()} is called: no part starts after it. Guarded by {@code this}. */
  private boolean closed;
  /** Set once {@link #close()} stops waiting for starts in flight. Guarded by {@code this}. */
  private boolean partsStopping;
  /** Parts between the decision to start and their registration. Guarded by {@code this}. */
  private int startsInFlight;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread backstop = new Thread(this::close, "orca-local-stop");

  /** The parts, each after those it needs; closing stops them from the last to the first. */
  private enum Part {
    INFRASTRUCTURE("infrastructure"),
    SYNC_STREAM("sync-stream"),
    DEPLOY_DISPATCHER("deploy-dispatcher"),
    API_GATEWAY("api-gateway"),
    AGENT("agent");

    final String label;

    Part(String label) {
      this.label = label;
    }
  }

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
   * Starts the parts; {@link #close()} from another thread stops the start-up early. A shutdown
   * hook stops everything in order if the JVM exits without {@link #close()}, so no PostgreSQL
   * server outlives it.
   */
  void run(LocalSettings settings) {
    Runtime.getRuntime().addShutdownHook(backstop);
    try {
      startParts(settings);
    } catch (RuntimeException | Error e) {
      if (!closed()) {
        log.warn("Start-up failed ({}); stopping what has started", e.toString());
      }
      close();
      throw e;
    }
  }

  /**
   * Each part starts as soon as what it needs is ready: the stream processors when the broker
   * answers, the gateway when the database does (its Kafka clients wait for the broker, which is
   * usually up before the gateway's Spring context needs it), the agent when the gateway has
   * registered it. On two cores this overlaps the gateway's CPU-bound start with the broker's.
   */
  private void startParts(LocalSettings settings) {
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
    }
    String appSecret = AppSecret.resolve(settings.dataDir(), settings.appSecret());

    Infrastructure infrastructure = Infrastructure.start(settings);
    this.infrastructure = infrastructure;
    register(Part.INFRASTRUCTURE, infrastructure);
    kafkaBootstrap = infrastructure.kafkaBootstrap();
    databaseUrl = infrastructure.databaseUrl();

    httpPort = settings.httpPort() > 0 ? settings.httpPort() : PortBook.freePort();
    Map<String, String> env = componentEnvironment(settings, kafkaBootstrap, databaseUrl, appSecret, httpPort);
    url = env.get("ORCA_PUBLIC_URL");

    // Logging is set up once for the whole JVM (logback.xml); Spring re-initialising it while the
    // other components log would drop their lines.
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    // One thread per part, created when what the part needs is ready.
    Executor starter = runnable -> {
      Thread thread = new Thread(runnable, "orca-start");
      thread.setDaemon(true);
      thread.start();
    };
    // Each component connects as its own principal (the embedded broker's ACLs let it do only its part).
    KafkaAccess.Principals principals = infrastructure.principals();
    Map<String, String> syncEnv = with(env, infrastructure.kafkaCredentials(principals.syncStream()));
    Map<String, String> dispatcherEnv = with(env, infrastructure.kafkaCredentials(principals.dispatcher()));
    Map<String, Object> gatewayProps = gatewayProperties(env);
    gatewayProps.putAll(infrastructure.kafkaCredentials(principals.gateway()));
    gatewayProps.putAll(infrastructure.agentListener());
    CompletableFuture<SyncStream> syncStream = infrastructure.kafkaReady().thenApplyAsync(
        ready -> startPart(Part.SYNC_STREAM, () -> SyncStream.start(SyncStreamSettings.fromEnvironment(syncEnv)),
            s -> s::isRunning), starter);
    CompletableFuture<DeployDispatcher> dispatcher = infrastructure.kafkaReady().thenApplyAsync(
        ready -> startPart(Part.DEPLOY_DISPATCHER,
            () -> DeployDispatcher.start(DispatcherSettings.fromEnvironment(dispatcherEnv)), d -> d::isRunning), starter);
    // The gateway registers agents (credentials, ACLs), so it also waits for the broker's set-up.
    CompletableFuture<ConfigurableApplicationContext> gatewayStart = CompletableFuture.allOf(
        infrastructure.databaseReady(), infrastructure.kafkaReady()).thenApplyAsync(
        ready -> startPart(Part.API_GATEWAY, () -> new SpringApplicationBuilder(GatewayApplication.class)
            .properties(gatewayProps)
            .registerShutdownHook(false)
            .logStartupInfo(false)
            .run(), g -> g::isActive), starter);
    // A server that did not start fails the start-up at once; close() then waits for the parts
    // still starting and stops them too.
    infrastructure.awaitReady();
    RuntimeException failure = null;
    failure = failure(Part.SYNC_STREAM, syncStream, failure);
    failure = failure(Part.DEPLOY_DISPATCHER, dispatcher, failure);
    failure = failure(Part.API_GATEWAY, gatewayStart, failure);
    if (failure != null) {
      throw failure;
    }
    ConfigurableApplicationContext gateway = gatewayStart.join();

    LocalAgent localAgent = gateway.getBean(LocalAgent.class);
    localAgentId = localAgent.id();
    // Its connection settings, as a remote agent gets them: the agents' listener, a credential of
    // its own, the CA, and the key the gateway seals its environments with; they stay in this JVM.
    Map<String, String> agentEnv = with(env, localAgent.environment());
    AgentSettings agentSettings = AgentSettings.fromEnvironment(agentEnv);
    Agent agent = startPart(Part.AGENT, () -> Agent.start(agentSettings), a -> a::isRunning);
    dockerHost = agentSettings.dockerHost();
    dockerAvailable = agent.dockerAvailable();
  }

  /**
   * Starts one part unless closing has begun, logs how long it took, and keeps it for {@link
   * #close()} and the liveness check. {@link #close()} waits (bounded) for starts in flight, so a
   * part that finishes starting while Orca stops is still stopped in order.
   */
  private <T extends AutoCloseable> T startPart(Part part, Supplier<T> start, Function<T, BooleanSupplier> running) {
    synchronized (this) {
      if (closed) {
        throw new CancellationException("Orca is stopping; " + part.label + " not started");
      }
      startsInFlight++;
    }
    try {
      long begun = System.nanoTime();
      T resource = start.get();
      log.info("{} ready in {} ms", part.label, Infrastructure.millisSince(begun));
      register(part, resource);
      liveness.put(part.label, running.apply(resource));
      return resource;
    } finally {
      synchronized (this) {
        startsInFlight--;
        notifyAll();
      }
    }
  }

  /** The first failure among the parts waited for so far; later ones are added to it as suppressed. */
  private static RuntimeException failure(Part part, CompletableFuture<?> start, RuntimeException earlier) {
    try {
      start.join();
      return earlier;
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (earlier != null) {
        earlier.addSuppressed(cause);
        return earlier;
      }
      return cause instanceof RuntimeException r ? r : new IllegalStateException(part.label + " did not start", cause);
    }
  }

  /**
   * Keeps a started part for {@link #close()}; a part that finished starting only after {@link
   * #close()} stopped waiting for it is stopped at once, and its start fails.
   */
  private void register(Part part, AutoCloseable resource) {
    synchronized (this) {
      if (!partsStopping) {
        started.put(part, resource);
        return;
      }
    }
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("{} did not stop cleanly: {}", part.label, e.toString());
    }
    throw new CancellationException("Orca is stopping; " + part.label + " stopped again");
  }

  /**
   * The {@code ORCA_*} variables the non-Spring components read: the caller's environment with the
   * launcher's choices on top (the broker, database, data directory, secret and HTTP address).
   */
  static Map<String, String> componentEnvironment(LocalSettings settings, String kafkaBootstrap, String databaseUrl,
      String appSecret, int httpPort) {
    Map<String, String> env = new HashMap<>(settings.environment());
    env.put("ORCA_KAFKA_BOOTSTRAP", kafkaBootstrap);
    env.put("ORCA_DATABASE_URL", databaseUrl);
    env.put("ORCA_DATA_DIR", settings.dataDir().toString());
    env.put("APP_SECRET", appSecret);
    // After ./orca key rotate: the old secret still opens what it sealed, until everything is re-sealed.
    if (settings.appSecret() == null || settings.appSecret().isBlank()) {
      String previous = AppSecret.previous(settings.dataDir());
      String given = env.get("ORCA_APP_SECRET_PREVIOUS");
      if (previous != null) {
        env.put("ORCA_APP_SECRET_PREVIOUS", given == null || given.isBlank() ? previous : given + "," + previous);
      }
    }
    env.put("ORCA_HTTP_ADDRESS", settings.httpAddress());
    env.put("ORCA_HTTP_PORT", String.valueOf(httpPort));
    env.putIfAbsent("ORCA_ALLOW_LOCAL_GIT", "true");
    env.putIfAbsent("ORCA_PUBLIC_URL", "http://" + publicHost(settings.httpAddress()) + ":" + httpPort);
    return Map.copyOf(env);
  }

  /**
   * The host people type: localhost when the API listens on every address or on the usual
   * loopback address, else the address itself (in brackets when it is an IPv6 literal).
   */
  static String publicHost(String address) {
    try {
      InetAddress inet = InetAddress.getByName(address);
      if (inet.isAnyLocalAddress() || inet.equals(InetAddress.getByName("127.0.0.1"))
          || inet.equals(InetAddress.getByName("::1")) || address.equals("localhost")) {
        return "localhost";
      }
    } catch (UnknownHostException e) {
      return address;
    }
    return address.contains(":") ? "[" + address + "]" : address;
  }

  static Map<String, Object> gatewayProperties(Map<String, String> env) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("orca.kafka-bootstrap", env.get("ORCA_KAFKA_BOOTSTRAP"));
    props.put("orca.database-url", env.get("ORCA_DATABASE_URL"));
    props.put("orca.app-secret", env.get("APP_SECRET"));
    copy(env, "ORCA_APP_SECRET_PREVIOUS", props, "orca.app-secret-previous");
    props.put("orca.public-url", env.get("ORCA_PUBLIC_URL"));
    props.put("orca.allow-local-git", env.get("ORCA_ALLOW_LOCAL_GIT"));
    props.put("orca.local-agent.enabled", "true");
    props.put("server.address", env.get("ORCA_HTTP_ADDRESS"));
    props.put("server.port", env.get("ORCA_HTTP_PORT"));
    // Reactor Netty's event loops otherwise idle 2 s before they stop, on every stop; the graceful
    // shutdown before them has already let requests in progress finish.
    props.put("spring.reactor.netty.shutdown-quiet-period", "0s");
    copy(env, "ORCA_TOPIC_PREFIX", props, "orca.topic-prefix");
    copy(env, "ORCA_TOPIC_PARTITIONS", props, "orca.topic-partitions");
    copy(env, "ORCA_TOPIC_REPLICATION", props, "orca.topic-replication");
    copy(env, "ORCA_DEPLOY_TIMEOUT_SECONDS", props, "orca.deploy-timeout-seconds");
    copy(env, "ORCA_GITHUB_ACTIONS_ISSUER", props, "orca.github-actions.issuer");
    copy(env, "ORCA_GIT_TIMEOUT", props, "orca.git-timeout");
    copy(env, "ORCA_EGRESS_ALLOW", props, "orca.egress-allow");
    copy(env, "ORCA_SESSION_IDLE_TIMEOUT", props, "orca.session.idle-timeout");
    copy(env, "ORCA_SESSION_LIFETIME", props, "orca.session.lifetime");
    copy(env, "ORCA_AUDIT_RETENTION", props, "orca.audit.retention");
    copy(env, "ORCA_RATE_LIMIT_API_BURST", props, "orca.rate-limit.api-burst");
    copy(env, "ORCA_RATE_LIMIT_API_PER_SECOND", props, "orca.rate-limit.api-per-second");
    copy(env, "ORCA_AUTH_LOCAL_LOGIN", props, "orca.auth.local-login");
    copy(env, "ORCA_HTTP_TRUSTED_PROXIES", props, "orca.http.trusted-proxies");
    copy(env, "ORCA_AGENT_RETIREMENT_GRACE", props, "orca.agent-retirement-grace");
    // The gateway pins ssh host keys in the file sync-stream pins them in: what Test connection
    // accepted is what a sync checks.
    copy(env, "ORCA_DATA_DIR", props, "orca.data-dir");
    copy(env, "ORCA_SSH_KNOWN_HOSTS", props, "orca.ssh-known-hosts");
    // The gateway's credential and what it tells agents, under their own names (an external broker's).
    for (String variable : List.of("ORCA_KAFKA_SECURITY_PROTOCOL", "ORCA_KAFKA_USERNAME", "ORCA_KAFKA_PASSWORD",
        "ORCA_KAFKA_CA_CERT", "ORCA_KAFKA_CA_CERT_FILE", "ORCA_AGENT_KAFKA_BOOTSTRAP",
        "ORCA_AGENT_KAFKA_SECURITY_PROTOCOL", "ORCA_AGENT_KAFKA_CA_CERT", "ORCA_AGENT_KAFKA_CA_CERT_FILE",
        "ORCA_KAFKA_ACLS")) {
      copy(env, variable, props, variable);
    }
    return props;
  }

  private static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
    Map<String, String> combined = new HashMap<>(env);
    combined.putAll(more);
    return Map.copyOf(combined);
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

  /**
   * A client configuration with the embedded broker's own identity, its super user: for tools and
   * tests that look at the broker as its operator would. Empty with an external broker.
   */
  public java.util.Optional<Map<String, Object>> kafkaSuperUserClient() {
    return infrastructure.kafkaSuperUserClient();
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

  /**
   * Stops everything in reverse part order, after waiting (bounded) for parts still starting; a
   * concurrent caller waits (bounded) until that is done.
   */
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

  private synchronized boolean closed() {
    return closed;
  }

  private void stopParts() {
    Map<Part, AutoCloseable> stopping;
    synchronized (this) {
      long giveUp = System.nanoTime() + START_WAIT.toNanos();
      while (startsInFlight > 0 && System.nanoTime() < giveUp) {
        try {
          wait(Math.max(1, (giveUp - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (startsInFlight > 0) {
        log.warn("{} part(s) still starting after {}; stopping the others", startsInFlight, START_WAIT);
      }
      partsStopping = true;
      stopping = new EnumMap<>(started);
      started.clear();
    }
    Part[] parts = Part.values();
    for (int i = parts.length - 1; i >= 0; i--) {
      AutoCloseable resource = stopping.get(parts[i]);
      if (resource == null) {
        continue;
      }
      long begun = System.nanoTime();
      try {
        resource.close();
        log.info("Stopped {} in {} ms", parts[i].label, Infrastructure.millisSince(begun));
      } catch (Exception e) {
        log.warn("{} did not stop cleanly: {}", parts[i].label, e.toString());
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


}
