package dev.orca.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Chooses the local ports of the embedded servers and remembers them in {@code ports.properties}
 * of the data directory, so a restart finds its broker and database where clients last saw them.
 */
final class PortBook {

  private final Path file;

  PortBook(Path dataDir) {
    this.file = dataDir.resolve("ports.properties");
  }

  /**
   * The port for {@code name}: {@code requested} when positive (taken as is); otherwise the
   * remembered one if it is free, else {@code preferred} if positive and free, else any free one.
   */
  synchronized int choose(String name, int requested, int preferred) {
    int port;
    Properties known = load();
    if (requested > 0) {
      port = requested;
    } else {
      int remembered = Integer.parseInt(known.getProperty(name, "0"));
      if (remembered > 0 && isFree(remembered)) {
        port = remembered;
      } else if (preferred > 0 && isFree(preferred)) {
        port = preferred;
      } else {
        port = freePort();
      }
    }
    if (!String.valueOf(port).equals(known.getProperty(name))) {
      known.setProperty(name, String.valueOf(port));
      store(known);
    }
    return port;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  static boolean isFree(int port) {
    return isFree(InetAddress.getLoopbackAddress(), port);
  }

  /** Whether a server could listen on {@code port} of {@code host} now. */
  static boolean isFree(String host, int port) {
    try {
      return isFree(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static boolean isFree(InetAddress address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Properties load() {
    Properties properties = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return properties;
  }

  private void store(Properties properties) {
    try {
      Files.createDirectories(file.getParent());
      try (Writer writer = Files.newBufferedWriter(file)) {
        properties.store(writer, "local ports chosen by the Orca launcher");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
