package dev.orca.schemas.metrics;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A standalone component's Prometheus metrics (Micrometer), served on a port of its own: the
 * gateway serves its own on its HTTP port; sync-stream, the deploy-dispatcher and each agent have
 * no HTTP port otherwise. From the environment, with the component's variable prefix ({@code
 * ORCA_SYNC}, {@code ORCA_DISPATCHER}, {@code ORCA_AGENT}): {@code <prefix>_METRICS_PORT} (unset:
 * no endpoint; the meters still count, for an embedding process to read), {@code
 * <prefix>_METRICS_ADDRESS} (127.0.0.1), and {@code ORCA_METRICS_TOKEN}, the scrape token the
 * gateway takes too: when set, a scrape must carry {@code Authorization: Bearer <token>} (401
 * otherwise). An address other than loopback is refused without a token: metrics are never
 * public. Every meter is tagged {@code component}; the JVM's own meters are bound too.
 */
public final class MetricsEndpoint implements AutoCloseable {

  public static final String TOKEN_VARIABLE = "ORCA_METRICS_TOKEN";
  private static final String LOOPBACK = "127.0.0.1";

  private final PrometheusMeterRegistry registry;
  private final HTTPServer server;
  private final JvmGcMetrics gc;
  /** Binders of Kafka clients, closed with the endpoint. */
  private final List<AutoCloseable> followed = new CopyOnWriteArrayList<>();

  private MetricsEndpoint(PrometheusMeterRegistry registry, HTTPServer server, JvmGcMetrics gc) {
    this.registry = registry;
    this.server = server;
    this.gc = gc;
  }

  /** The component's registry, served when {@code <prefix>_METRICS_PORT} is set. */
  public static MetricsEndpoint fromEnvironment(Map<String, String> env, String variablePrefix, String component) {
    String port = env.get(variablePrefix + "_METRICS_PORT");
    if (port == null || port.isBlank()) {
      return unserved(component);
    }
    int number;
    try {
      number = Integer.parseInt(port.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variablePrefix + "_METRICS_PORT must be a port number, got '" + port + "'");
    }
    if (number < 0 || number > 65_535) {
      throw new IllegalArgumentException(variablePrefix + "_METRICS_PORT must be between 0 and 65535, got " + number);
    }
    String address = env.getOrDefault(variablePrefix + "_METRICS_ADDRESS", LOOPBACK).strip();
    return served(component, address, number, env.get(TOKEN_VARIABLE));
  }

  /** Meters that count and are served nowhere (no port configured). */
  public static MetricsEndpoint unserved(String component) {
    PrometheusMeterRegistry registry = registry(component);
    return new MetricsEndpoint(registry, null, bindJvm(registry));
  }

  /**
   * Serves {@code GET /metrics} on {@code address:port} (0: any free port, see {@link #port()});
   * {@code token} null or blank: no authentication, refused unless the address is loopback.
   */
  public static MetricsEndpoint served(String component, String address, int port, String token) {
    boolean withToken = token != null && !token.isBlank();
    if (!withToken && !isLoopback(address)) {
      throw new IllegalArgumentException("metrics on " + address + " need " + TOKEN_VARIABLE
          + ": a scrape token, so that they are not public");
    }
    PrometheusMeterRegistry registry = registry(component);
    JvmGcMetrics gc = bindJvm(registry);
    HTTPServer.Builder builder = HTTPServer.builder()
        .hostname(address)
        .port(port)
        .registry(registry.getPrometheusRegistry());
    if (withToken) {
      builder.authenticator(new BearerToken(token.strip()));
    }
    try {
      return new MetricsEndpoint(registry, builder.buildAndStart(), gc);
    } catch (IOException e) {
      gc.close();
      registry.close();
      throw new UncheckedIOException("cannot serve metrics on " + address + ":" + port, e);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Adds a Kafka Streams client's meters: its consumers' lag, processing, commit and poll rates. */
  public MetricsEndpoint follow(KafkaStreams streams) {
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
    binder.bindTo(registry);
    followed.add(binder);
    return this;
  }

  /** Adds a Kafka consumer's meters (its lag among them). */
  public MetricsEndpoint follow(Consumer<?, ?> consumer) {
    KafkaClientMetrics binder = new KafkaClientMetrics(consumer);
    binder.bindTo(registry);
    followed.add(binder);
    return this;
  }

  /** Adds a Kafka producer's meters. */
  public MetricsEndpoint follow(Producer<?, ?> producer) {
    KafkaClientMetrics binder = new KafkaClientMetrics(producer);
    binder.bindTo(registry);
    followed.add(binder);
    return this;
  }

  /** The port metrics are served on; -1 when they are not served. */
  public int port() {
    return server == null ? -1 : server.getPort();
  }

  /** The Prometheus text of every meter, as a scrape would read it. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    for (AutoCloseable binder : followed) {
      try {
        binder.close();
      } catch (Exception e) {
        // A binder that cannot stop its refresh leaves nothing to serve: the registry closes anyway.
      }
    }
    gc.close();
    registry.close();
  }

  private static PrometheusMeterRegistry registry(String component) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("component", component);
    return registry;
  }

  private static JvmGcMetrics bindJvm(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("metrics address " + address + " cannot be resolved", e);
    }
  }

  /** Lets a request through when it carries {@code Authorization: Bearer <token>}, compared in constant time. */
  private static final class BearerToken extends Authenticator {

    private final byte[] expected;

    BearerToken(String token) {
      this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
      String header = exchange.getRequestHeaders().getFirst("Authorization");
      if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(given, expected)) {
          return new Success(new HttpPrincipal("scraper", "orca-metrics"));
        }
      }
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"orca-metrics\"");
      return new Failure(401);
    }
  }
}
