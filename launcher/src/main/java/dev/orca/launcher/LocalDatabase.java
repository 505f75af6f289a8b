package dev.orca.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The database a command of the launcher works on ({@code reset-password}, {@code export},
 * {@code import}): {@code ORCA_DATABASE_URL}, else the embedded PostgreSQL in
 * {@code ORCA_DATA_DIR}, used where it runs when {@code ./orca up} is running, else started for
 * the command and stopped again when it is closed.
 */
final class LocalDatabase implements AutoCloseable {

  /** How JDBC reaches it; {@code toString} shows no password. */
  record Jdbc(String url, String user, String password) {
    @Override
    public String toString() {
      return "Jdbc[" + url + ", user=" + user + "]";
    }
  }

  private final Jdbc jdbc;
  private final EmbeddedDatabase started;
  private final boolean inUse;

  private LocalDatabase(Jdbc jdbc, EmbeddedDatabase started, boolean inUse) {
    this.jdbc = jdbc;
    this.started = started;
    this.inUse = inUse;
  }

  /**
   * Opens it; {@code create} makes the data directory's cluster when there is none yet (an import
   * onto a fresh directory), else its absence is refused with what to do.
   */
  static LocalDatabase open(LocalSettings settings, boolean create) {
    if (settings.databaseUrl() != null) {
      return new LocalDatabase(jdbc(settings.databaseUrl()), null, false);
    }
    Path cluster = settings.dataDir().resolve("postgres");
    if (!create && !Files.exists(cluster.resolve("PG_VERSION"))) {
      throw new IllegalArgumentException("no Orca database in " + settings.dataDir()
          + ": ./orca up has not run with this ORCA_DATA_DIR");
    }
    Integer running = Files.exists(cluster.resolve("PG_VERSION")) ? runningPort(cluster) : null;
    if (running != null) {
      return new LocalDatabase(new Jdbc("jdbc:postgresql://127.0.0.1:" + running + "/" + Infrastructure.DATABASE_NAME,
          EmbeddedDatabase.USER, EmbeddedDatabase.password(cluster)), null, true);
    }
    EmbeddedDatabase database = EmbeddedDatabase.start(cluster, PortBook.freePort(), Infrastructure.DATABASE_NAME);
    return new LocalDatabase(new Jdbc(database.jdbcUrl(), EmbeddedDatabase.USER, database.password()), database, false);
  }

  Jdbc jdbc() {
    return jdbc;
  }

  /** Whether a running {@code ./orca up} uses it now. */
  boolean inUse() {
    return inUse;
  }

  @Override
  public void close() {
    if (started != null) {
      started.close();
    }
  }

  /** {@code postgresql://user:password@host:port/db}, the form ORCA_DATABASE_URL takes. */
  static Jdbc jdbc(String databaseUrl) {
    URI uri = URI.create(databaseUrl.trim());
    String[] userInfo = uri.getRawUserInfo() == null ? new String[] {"postgres"} : uri.getRawUserInfo().split(":", 2);
    String user = URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8);
    String password = userInfo.length > 1 ? URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8) : null;
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    // The query (sslmode=require, say) goes along, as the gateway's own connection takes it.
    return new Jdbc("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath()
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), user, password);
  }

  /** The port of the PostgreSQL running on {@code cluster} (a running {@code ./orca up}), or null. */
  private static Integer runningPort(Path cluster) {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) {
        return null;
      }
      long pid = Long.parseLong(lines.get(0).trim());
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive ? Integer.parseInt(lines.get(3).trim()) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
