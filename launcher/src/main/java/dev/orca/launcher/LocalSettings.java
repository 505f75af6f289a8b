package dev.orca.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link LocalOrca} runs with. A zero port means "remembered in the data directory, else a
 * free one"; a null {@code kafkaBootstrap} or {@code databaseUrl} means "start the embedded one";
 * a null {@code appSecret} means "generated once into the data directory". {@code environment}
 * holds further {@code ORCA_*} settings for the components (topic prefix, timeouts, Docker host).
 */
public record LocalSettings(
    Path dataDir,
    int httpPort,
    String kafkaBootstrap,
    String databaseUrl,
    String appSecret,
    int kafkaPort,
    int databasePort,
    Map<String, String> environment) {

  public LocalSettings {
    if (dataDir == null) {
      throw new IllegalArgumentException("a data directory is required");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    kafkaBootstrap = blankToNull(kafkaBootstrap);
    databaseUrl = blankToNull(databaseUrl);
    appSecret = blankToNull(appSecret);
    environment = Map.copyOf(environment == null ? Map.of() : environment);
  }

  /** Everything embedded and on free ports, state in {@code dataDir}: what tests use. */
  public static LocalSettings of(Path dataDir) {
    return new LocalSettings(dataDir, 0, null, null, null, 0, 0, Map.of());
  }

  public LocalSettings withHttpPort(int port) {
    return new LocalSettings(dataDir, port, kafkaBootstrap, databaseUrl, appSecret, kafkaPort, databasePort, environment);
  }

  public LocalSettings withEnvironment(Map<String, String> env) {
    return new LocalSettings(dataDir, httpPort, kafkaBootstrap, databaseUrl, appSecret, kafkaPort, databasePort, env);
  }

  /**
   * From the launcher's environment: {@code ORCA_DATA_DIR} (./data), {@code ORCA_HTTP_PORT} (8080),
   * {@code ORCA_KAFKA_BOOTSTRAP} and {@code ORCA_DATABASE_URL} (embedded when unset), {@code
   * APP_SECRET}, {@code ORCA_KAFKA_PORT} (19092) and {@code ORCA_DATABASE_PORT} (54329) for the
   * embedded servers; a default port that is taken gives way to a free one, remembered.
   */
  public static LocalSettings fromEnvironment(Map<String, String> env) {
    Path dataDir = Path.of(env.getOrDefault("ORCA_DATA_DIR", "./data"));
    PortBook ports = new PortBook(dataDir.toAbsolutePath().normalize());
    return new LocalSettings(
        dataDir,
        port(env, "ORCA_HTTP_PORT", 8080),
        env.get("ORCA_KAFKA_BOOTSTRAP"),
        env.get("ORCA_DATABASE_URL"),
        env.get("APP_SECRET"),
        blankToNull(env.get("ORCA_KAFKA_BOOTSTRAP")) == null
            ? ports.choose(LocalOrca.KAFKA_PORT, port(env, "ORCA_KAFKA_PORT", 0), 19092) : 0,
        blankToNull(env.get("ORCA_DATABASE_URL")) == null
            ? ports.choose(LocalOrca.DATABASE_PORT, port(env, "ORCA_DATABASE_PORT", 0), 54329) : 0,
        env);
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = blankToNull(env.get(name));
    if (value == null) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a port number: " + value, e);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
