package dev.orca.launcher;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link LocalOrca} runs with. A zero port means "remembered in the data directory, else a
 * free one"; a null {@code httpAddress} means loopback only ({@code 127.0.0.1}); a null {@code
 * kafkaBootstrap} or {@code databaseUrl} means "start the embedded one"; a null {@code appSecret}
 * means "generated once into the data directory". {@code environment} holds further {@code ORCA_*}
 * settings for the components (topic prefix, timeouts, Docker host).
 */
public record LocalSettings(
    Path dataDir,
    String httpAddress,
    int httpPort,
    String kafkaBootstrap,
    String databaseUrl,
    String appSecret,
    int kafkaPort,
    int databasePort,
    Map<String, String> environment) {

  /** Where the API and web UI listen unless {@code ORCA_HTTP_ADDRESS} says otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  public LocalSettings {
    if (dataDir == null) {
      throw new IllegalArgumentException("a data directory is required");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    httpAddress = blankToNull(httpAddress) == null ? LOOPBACK : httpAddress.trim();
    kafkaBootstrap = blankToNull(kafkaBootstrap);
    databaseUrl = blankToNull(databaseUrl);
    appSecret = blankToNull(appSecret);
    environment = Map.copyOf(environment == null ? Map.of() : environment);
  }

  /** Everything embedded and on free ports, state in {@code dataDir}: what tests use. */
  public static LocalSettings of(Path dataDir) {
    return new LocalSettings(dataDir, null, 0, null, null, null, 0, 0, Map.of());
  }

  /** With external servers instead of the embedded ones, and further {@code ORCA_*} settings. */
  public static LocalSettings external(Path dataDir, String kafkaBootstrap, String databaseUrl, String appSecret,
      Map<String, String> environment) {
    return new LocalSettings(dataDir, null, 0, kafkaBootstrap, databaseUrl, appSecret, 0, 0, environment);
  }

  public LocalSettings withHttp(String address, int port) {
    return new LocalSettings(dataDir, address, port, kafkaBootstrap, databaseUrl, appSecret, kafkaPort, databasePort,
        environment);
  }

  /** These settings on another HTTP port (0: a free one, chosen at start). */
  public LocalSettings withHttpPort(int port) {
    return new LocalSettings(dataDir, httpAddress, port, kafkaBootstrap, databaseUrl, appSecret, kafkaPort,
        databasePort, environment);
  }

  public LocalSettings withEnvironment(Map<String, String> env) {
    return new LocalSettings(dataDir, httpAddress, httpPort, kafkaBootstrap, databaseUrl, appSecret, kafkaPort,
        databasePort, env);
  }

  /** Whether the API answers only on this machine. */
  public boolean loopbackOnly() {
    try {
      return InetAddress.getByName(httpAddress).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * From the launcher's environment: {@code ORCA_DATA_DIR} (./data), {@code ORCA_HTTP_ADDRESS}
   * (127.0.0.1), {@code ORCA_HTTP_PORT} (8080),
   * {@code ORCA_KAFKA_BOOTSTRAP} and {@code ORCA_DATABASE_URL} (embedded when unset), {@code
   * APP_SECRET}, {@code ORCA_KAFKA_PORT} (19092) and {@code ORCA_DATABASE_PORT} (54329) for the
   * embedded servers; a default port that is taken gives way to a free one, remembered.
   */
  public static LocalSettings fromEnvironment(Map<String, String> env) {
    Path dataDir = Path.of(env.getOrDefault("ORCA_DATA_DIR", "./data"));
    PortBook ports = new PortBook(dataDir.toAbsolutePath().normalize());
    return new LocalSettings(
        dataDir,
        address(env, "ORCA_HTTP_ADDRESS"),
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

  static int port(Map<String, String> env, String name, int fallback) {
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

  /**
   * The address as given, once it is known to be one a server here can listen on: every address
   * ({@code 0.0.0.0}, {@code ::}), a loopback address, or one of this machine's interfaces, given
   * as an IP address or a host name that resolves to one.
   */
  private static String address(Map<String, String> env, String name) {
    String value = blankToNull(env.get(name));
    if (value == null) {
      return null;
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(value);
    } catch (UnknownHostException | SecurityException e) {
      throw new IllegalArgumentException(name + " is not an address: " + value, e);
    }
    if (!address.isAnyLocalAddress() && !address.isLoopbackAddress() && !onThisMachine(address)) {
      throw new IllegalArgumentException(name + " is not an address of this machine: " + value);
    }
    return value;
  }

  private static boolean onThisMachine(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      // Cannot tell: let the server try.
      return true;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
