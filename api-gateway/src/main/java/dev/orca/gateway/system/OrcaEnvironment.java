package dev.orca.gateway.system;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Maps the environment variables of docs/architecture.md whose names Spring's relaxed binding does
 * not already map ({@code APP_SECRET}, {@code ORCA_HTTP_PORT}; {@code ORCA_KAFKA_BOOTSTRAP} and
 * the other {@code ORCA_*} ones bind to {@code orca.*} natively), and derives the R2DBC and Flyway connection settings from
 * {@code orca.database-url} ({@code postgresql://user:password@host:port/db}) when they are read.
 * Both sources come last, even after the default properties, so what an embedding launcher passes
 * through {@code SpringApplicationBuilder.properties(...)} beats a variable left in the shell.
 * (The natively bound {@code ORCA_*} variables sit in Spring's system-environment source, above
 * the default properties, as usual.)
 */
public final class OrcaEnvironment implements EnvironmentPostProcessor, Ordered {

  static final String SOURCE = "orcaEnvironment";
  private static final Map<String, String> VARIABLES = Map.of(
      "APP_SECRET", "orca.app-secret",
      "ORCA_HTTP_PORT", "server.port");

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    Map<String, Object> mapped = new LinkedHashMap<>();
    Map<String, Object> system = environment.getSystemEnvironment();
    VARIABLES.forEach((variable, key) -> {
      Object value = system.get(variable);
      if (value != null && !value.toString().isBlank()) {
        mapped.put(key, value);
      }
    });
    MutablePropertySources sources = environment.getPropertySources();
    add(sources, new MapPropertySource(SOURCE, mapped));

    add(sources, new DatabaseUrlSource(environment));
  }

  private static void add(MutablePropertySources sources, PropertySource<?> source) {
    sources.addLast(source);
  }

  /** spring.r2dbc.* and spring.flyway.* for one PostgreSQL URL; the password is never logged. */
  static Map<String, Object> connectionProperties(String databaseUrl) {
    URI uri;
    try {
      uri = URI.create(databaseUrl.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("ORCA_DATABASE_URL is not a URL; expected postgresql://user:password@host:port/database");
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw new IllegalStateException("ORCA_DATABASE_URL must start with postgresql://");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
    if (uri.getHost() == null || path.isBlank()) {
      throw new IllegalStateException("ORCA_DATABASE_URL needs a host and a database: postgresql://user:password@host:port/database");
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    String hostPort = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 5432);
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.r2dbc.url", "r2dbc:postgresql://" + hostPort + "/" + path + query);
    properties.put("spring.flyway.url", "jdbc:postgresql://" + hostPort + "/" + path + query);
    if (user != null) {
      properties.put("spring.r2dbc.username", user);
      properties.put("spring.flyway.user", user);
    }
    if (password != null) {
      properties.put("spring.r2dbc.password", password);
      properties.put("spring.flyway.password", password);
    }
    return properties;
  }

  /**
   * Answers spring.r2dbc.* and spring.flyway.* from whatever orca.database-url is when asked, so
   * a URL registered after this processor ran (a test's dynamic property) is honoured too.
   */
  static final class DatabaseUrlSource extends PropertySource<Object> {

    private static final Set<String> KEYS = Set.of("spring.r2dbc.url", "spring.r2dbc.username",
        "spring.r2dbc.password", "spring.flyway.url", "spring.flyway.user", "spring.flyway.password");

    /** Kept out of {@link #getSource()}: Boot would otherwise walk into the environment's own sources forever. */
    private final ConfigurableEnvironment environment;

    DatabaseUrlSource(ConfigurableEnvironment environment) {
      super(SOURCE + ".database", new Object());
      this.environment = environment;
    }

    @Override
    public Object getProperty(String name) {
      if (!KEYS.contains(name)) {
        return null;
      }
      String url = environment.getProperty("orca.database-url");
      return url == null || url.isBlank() ? null : connectionProperties(url).get(name);
    }
  }

  private static String decode(String part) {
    return URLDecoder.decode(part, StandardCharsets.UTF_8);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
