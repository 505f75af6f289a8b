package dev.orca.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenSSH server for tests: {@code /usr/sbin/sshd -D} as a child process on a loopback
 * address, with its own config, host key and authorized_keys in a temporary directory. Clients
 * reach repositories made with {@link #createRepository} by their absolute path
 * ({@code ssh://user@127.0.0.1:port/abs/path}); sshd runs {@code git-upload-pack} through the
 * user's login shell, so git must be on its PATH. Without sshd, {@link #start} skips the test
 * with the reason, except under {@code CI=true}, where it fails: CI installs openssh-server.
 */
public final class SshGitServer implements AutoCloseable {

  public static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final Duration START_DEADLINE = Duration.ofSeconds(15);
  private static final int LOG_LINES = 200;

  private final Path dir;
  private final String address;
  private final int port;
  private final Process process;
  private final SshKey hostKey;
  private final SshKey clientKey;
  private final Deque<String> log;
  private final Thread shutdownHook;

  private SshGitServer(Path dir, String address, int port, Process process, SshKey hostKey, SshKey clientKey,
      Deque<String> log) {
    this.dir = dir;
    this.address = address;
    this.port = port;
    this.process = process;
    this.hostKey = hostKey;
    this.clientKey = clientKey;
    this.log = log;
    this.shutdownHook = new Thread(process::destroyForcibly, "sshd-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Whether sshd and ssh-keygen are installed. */
  public static boolean available() {
    return Files.isExecutable(SSHD) && onPath("ssh-keygen") && onPath("git-upload-pack");
  }

  /** Skips the calling test without sshd, or fails it under CI, where sshd must be there. */
  public static void require() {
    if (available()) {
      return;
    }
    String why = "no OpenSSH server (" + SSHD + "), ssh-keygen or git-upload-pack: apt-get install openssh-server git";
    Missing.tool(why, "the ssh tests");
  }

  /** A server on 127.0.0.1 and a free port, with a new host key. */
  public static SshGitServer start() {
    require();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return start("127.0.0.1", FreePorts.next());
      } catch (PortTakenException e) {
        last = e; // another process took the free port between the probe and sshd's bind
      }
    }
    throw last;
  }

  /**
   * A server on port 22 of a loopback address other than 127.0.0.1, for scp-like URLs
   * ({@code user@host:path}), which cannot name a port. Where port 22 is taken on every address
   * (a machine's own sshd on 0.0.0.0), the test is skipped with the reason, or fails under CI.
   */
  public static SshGitServer startOnPort22(String loopbackAddress) {
    try {
      return start(loopbackAddress, 22);
    } catch (PortTakenException e) {
      String why = "port 22 of " + loopbackAddress + " is taken (is an sshd listening on every address?)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + "; under CI the ssh tests must run", e);
      }
      Assumptions.abort(why);
      throw e;
    }
  }

  /**
   * A server with a new host key on one address and port: the same port as a stopped server, to
   * play a host whose key changed.
   */
  public static SshGitServer start(String address, int port) {
    require();
    Path dir = null;
    Process process = null;
    try {
      dir = Files.createTempDirectory("orca-sshd");
      SshKey hostKey = SshKey.generateInto(dir.resolve("host_ed25519_key"), "", "-t", "ed25519");
      SshKey clientKey = SshKey.ed25519();
      Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKey() + "\n");
      Files.createDirectories(dir.resolve("repositories"));
      // sshd refuses to start without its privilege separation directory, which a package
      // install makes only where an init system runs it.
      Files.createDirectories(Path.of("/run/sshd"));
      Path config = dir.resolve("sshd_config");
      Files.writeString(config, String.join("\n",
          "ListenAddress " + address,
          "HostKey " + dir.resolve("host_ed25519_key"),
          "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
          "PidFile " + dir.resolve("sshd.pid"),
          "PermitRootLogin prohibit-password",
          "PubkeyAuthentication yes",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "StrictModes no",
          "AllowTcpForwarding no",
          "X11Forwarding no",
          "PrintMotd no",
          "LogLevel VERBOSE",
          ""));
      process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString(), "-p", Integer.toString(port))
          .redirectErrorStream(true).start();
      Deque<String> log = new ArrayDeque<>();
      CountDownLatch listening = new CountDownLatch(1);
      Process started = process;
      Thread reader = new Thread(() -> drain(started, log, listening), "sshd-log-" + port);
      reader.setDaemon(true);
      reader.start();
      boolean ready = listening.await(START_DEADLINE.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
      if (!ready) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        String output = String.join("\n", snapshot(log));
        if (output.contains("Address already in use")) {
          throw new PortTakenException(address + ":" + port + " is taken: " + output);
        }
        throw new IllegalStateException("sshd did not start on " + address + ":" + port + " within "
            + START_DEADLINE.toSeconds() + " s:\n" + output);
      }
      return new SshGitServer(dir, address, port, process, hostKey, clientKey, log);
    } catch (IOException e) {
      stop(process, dir);
      throw new UncheckedIOException("cannot start sshd", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(process, dir);
      throw new IllegalStateException("interrupted while starting sshd", e);
    } catch (RuntimeException e) {
      stop(process, dir);
      throw e;
    }
  }

  public String address() {
    return address;
  }

  public int port() {
    return port;
  }

  /** The user clients log in as: the one running the tests (sshd serves only the users of this machine). */
  public String user() {
    return System.getProperty("user.name");
  }

  /** A key the server accepts for {@link #user}. */
  public SshKey clientKey() {
    return clientKey;
  }

  /** Lets another key in. */
  public void authorize(SshKey key) {
    try {
      Files.writeString(dir.resolve("authorized_keys"), key.publicKey() + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's host key as a known_hosts line ({@code [127.0.0.1]:2222 ssh-ed25519 AAAA...}). */
  public String knownHostsLine() {
    String host = port == 22 ? address : "[" + address + "]:" + port;
    return host + " " + hostKey.publicKeyEntry();
  }

  /** The host key's fingerprint as ssh shows it ({@code SHA256:...}). */
  public String hostKeyFingerprint() {
    byte[] data = Base64.getDecoder().decode(hostKey.publicKeyEntry().split(" ")[1]);
    try {
      return "SHA256:" + Base64.getEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new repository with a working tree and one commit on main, reached at {@code ssh://user@address:port/<abs path>}. */
  public GitRepo createRepository(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("repository names are plain: " + name);
    }
    Path repository = dir.resolve("repositories").resolve(name).toAbsolutePath();
    String host = address.contains(":") ? "[" + address + "]" : address;
    return GitRepo.init(repository.toFile(), "ssh://" + user() + "@" + host + ":" + port + repository);
  }

  /** The same repository as an scp-like URL ({@code user@host:/abs/path}); only a server on port 22 serves it. */
  public String scpLikeUrl(GitRepo repository) {
    return user() + "@" + address + ":" + repository.directory().toAbsolutePath();
  }

  /** What sshd logged lately (connections, authentications), for a failing test's message. */
  public String log() {
    return String.join("\n", snapshot(log));
  }

  @Override
  public void close() {
    Runtime.getRuntime().removeShutdownHook(shutdownHook);
    stop(process, dir);
  }

  private static void stop(Process process, Path dir) {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    if (dir != null) {
      TempDirs.delete(dir);
    }
  }

  private static void drain(Process process, Deque<String> log, CountDownLatch listening) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        synchronized (log) {
          if (log.size() == LOG_LINES) {
            log.removeFirst();
          }
          log.addLast(line);
        }
        if (line.startsWith("Server listening on")) {
          listening.countDown();
        }
      }
    } catch (IOException e) {
      // the process ended; what it said is in the log
    } finally {
      listening.countDown();
    }
  }

  private static List<String> snapshot(Deque<String> log) {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String entry : path.split(":")) {
      if (Files.isExecutable(Path.of(entry, program))) {
        return true;
      }
    }
    return false;
  }

  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
