package dev.orca.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./orca up}: starts {@link LocalOrca} from the environment, prints where it answers, and
 * stops it in order on Ctrl-C (or SIGTERM). Exits non-zero when a component stops on its own.
 * {@code kafka-tls} and {@code kafka-setup} prepare the brokers of a distributed deployment
 * ({@link KafkaSetup}).
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** Set by {@code ./orca up} when this JVM writes its class data sharing archive on exit. */
  static final String WRITING_CDS_ARCHIVE = "orca.cds.writing";

  /** Held (referenced, so never collected) for as long as {@code ./orca up} runs. */
  private static volatile DataDirLock dataDirLock;

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && (args[0].equals("kafka-tls") || args[0].equals("kafka-setup"))) {
      try {
        if (args[0].equals("kafka-tls")) {
          KafkaSetup.tls(args);
        } else {
          KafkaSetup.setUp(System.getenv());
        }
        System.exit(0);
      } catch (RuntimeException e) {
        System.err.println("orca: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    if (args.length > 0 && args[0].equals("key")) {
      if (args.length != 2 || !args[1].equals("rotate")) {
        System.err.println("usage: ./orca key rotate");
        System.exit(2);
      }
      try {
        LocalSettings settings = LocalSettings.fromEnvironment(System.getenv());
        if (settings.appSecret() != null && !settings.appSecret().isBlank()) {
          throw new IllegalArgumentException("APP_SECRET is set in the environment: rotate it there (the new secret in"
              + " APP_SECRET, the old one in ORCA_APP_SECRET_PREVIOUS) and restart the gateways and sync-stream");
        }
        java.nio.file.Path file = AppSecret.rotate(settings.dataDir());
        System.out.println("A new APP_SECRET is in " + file + "; the old one is kept in "
            + file.resolveSibling(AppSecret.PREVIOUS_FILE_NAME) + ".\n"
            + "Restart Orca (./orca up): it reads what the old key sealed and re-seals every stored secret under the"
            + " new one in the background.\nWhen Administration > System shows no value under other keys, delete "
            + file.resolveSibling(AppSecret.PREVIOUS_FILE_NAME) + ".");
        System.exit(0);
      } catch (RuntimeException e) {
        System.err.println("orca: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    if (args.length > 0 && (args[0].equals("export") || args[0].equals("import"))) {
      boolean export = args[0].equals("export");
      if (args.length != 2 || args[1].isBlank()) {
        System.err.println("usage: ./orca " + args[0] + " FILE");
        System.exit(2);
      }
      // Migrating an imported database is the command's work, not news: only warnings of it are shown.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.flywaydb")).setLevel(ch.qos.logback.classic.Level.WARN);
      try {
        char[] passphrase = passphrase(export);
        Path file = Path.of(args[1]);
        String said;
        try {
          said = export ? ExportImport.export(System.getenv(), file, passphrase)
              : ExportImport.importFile(System.getenv(), file, passphrase);
        } finally {
          java.util.Arrays.fill(passphrase, '\0');
        }
        System.out.println(said);
        System.exit(0);
      } catch (RuntimeException e) {
        System.err.println("orca: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    if (args.length > 0 && args[0].equals("reset-password")) {
      if (args.length != 2 || args[1].isBlank()) {
        System.err.println("usage: ./orca reset-password EMAIL");
        System.exit(2);
      }
      try {
        String password = ResetPassword.run(System.getenv(), args[1]);
        System.out.println("The password of " + args[1].trim() + " is now:\n\n    " + password + "\n\n"
            + "Sign in with it; Orca asks for a new one at once. Their sessions were ended.");
        System.exit(0);
      } catch (RuntimeException e) {
        System.err.println("orca: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    long started = System.nanoTime();
    LocalSettings settings;
    try {
      settings = LocalSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("orca: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!PortBook.isFree(settings.httpAddress(), settings.httpPort())) {
      System.err.println("orca: port " + settings.httpPort() + " on " + settings.httpAddress()
          + " is in use; set ORCA_HTTP_PORT to another port");
      System.exit(2);
    }
    log.info("Data directory: {}", settings.dataDir());
    // Held until this process ends: an import into this directory meanwhile is refused, and so is a second up.
    try {
      dataDirLock = DataDirLock.acquire(settings.dataDir(), "another ./orca up, or an import, is running on "
          + settings.dataDir());
    } catch (RuntimeException e) {
      System.err.println("orca: " + e.getMessage());
      System.exit(2);
    }

    LocalOrca orca = LocalOrca.prepare();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    // Installed before start-up so Ctrl-C while starting also stops what already runs.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      log.info("Stopping Orca...");
      orca.close();
      // Before the class archive is written (seconds): the directory is free as soon as Orca is stopped.
      DataDirLock held = dataDirLock;
      if (held != null) {
        held.close();
      }
      if (Boolean.getBoolean(WRITING_CDS_ARCHIVE)) {
        // The JVM writes the archive after this hook returns; say why exiting takes longer this once.
        log.info("Saving class data for faster starts (once per build, some 10 s)...");
      }
      stopped.countDown();
    }, "orca-stop"));
    try {
      orca.run(settings);
    } catch (RuntimeException | LinkageError e) {
      if (!stopping.get()) {
        log.error("Orca did not start: {}", e.toString(), e);
        System.exit(1);
      }
      return;
    }

    System.out.println(orca.dockerAvailable()
        ? "Docker engine: available"
        : "Docker engine: not available at " + orca.dockerHost() + " — the local agent cannot deploy until one runs");
    System.out.printf("Orca is up at %s  (local agent %s, started in %.1f s, %s)%n",
        orca.url(), orca.localAgentId(), sinceProcessStart(started) / 1000.0, memory());
    if (!settings.loopbackOnly()) {
      System.out.println("Listening on " + settings.httpAddress() + ": other machines can reach it (ORCA_HTTP_ADDRESS)");
    }
    System.out.println("Press Ctrl-C to stop.");

    while (!stopped.await(5, TimeUnit.SECONDS)) {
      List<String> dead = orca.stoppedComponents();
      if (!dead.isEmpty() && !stopping.get()) {
        log.error("Stopped unexpectedly: {}; shutting Orca down", String.join(", ", dead));
        System.exit(1);
      }
    }
  }

  /**
   * The export's passphrase: {@code ORCA_EXPORT_PASSPHRASE} for a script, else asked at the
   * terminal without echo (twice for an export, so a typo does not seal a file for good).
   */
  private static char[] passphrase(boolean twice) {
    String given = System.getenv(ExportImport.PASSPHRASE_VARIABLE);
    if (given != null && !given.isEmpty()) {
      return given.toCharArray();
    }
    java.io.Console console = System.console();
    if (console == null) {
      throw new IllegalArgumentException("no terminal to ask the passphrase at: set " + ExportImport.PASSPHRASE_VARIABLE);
    }
    char[] first = console.readPassword("Passphrase: ");
    if (first == null) {
      throw new IllegalArgumentException("no passphrase given");
    }
    if (twice) {
      dev.orca.gateway.backup.BackupFile.checkPassphrase(first);
      char[] again = console.readPassword("The passphrase again: ");
      boolean same = again != null && java.util.Arrays.equals(first, again);
      if (again != null) {
        java.util.Arrays.fill(again, '\0');
      }
      if (!same) {
        throw new IllegalArgumentException("the two passphrases differ; nothing was written");
      }
    }
    return first;
  }

  /** Milliseconds since the JVM process started (what a person waited), else since {@code nanoStart}. */
  static long sinceProcessStart(long nanoStart) {
    return ProcessHandle.current().info().startInstant()
        .map(start -> Duration.between(start, Instant.now()).toMillis())
        .orElseGet(() -> Infrastructure.millisSince(nanoStart));
  }

  /** Resident memory from /proc (Linux), else the heap in use. */
  static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return "RSS " + kb / 1024 + " MB";
        }
      }
    } catch (IOException | NumberFormatException | SecurityException e) {
      // not Linux: fall through
    }
    Runtime rt = Runtime.getRuntime();
    return "heap " + (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024) + " MB";
  }
}
