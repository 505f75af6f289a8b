package dev.orca.launcher;

import dev.orca.gateway.backup.Backup;
import dev.orca.gateway.backup.BackupFile;
import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.schemas.crypto.KeyRing;
import dev.orca.schemas.crypto.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code ./orca export FILE} and {@code ./orca import FILE} on the database Orca uses
 * ({@link LocalDatabase}) and the keys {@code ./orca up} would use there: the export opens every
 * sealed value with them, the import seals them again with the importing directory's own
 * (made now when it has none). What they do is {@link Backup}'s; this finds the parts and says
 * what happened.
 */
final class ExportImport {

  /** Where scripts give the passphrase; a person at a terminal is asked for it instead. */
  static final String PASSPHRASE_VARIABLE = "ORCA_EXPORT_PASSPHRASE";

  private ExportImport() {}

  /** Writes the export to {@code file} (never over an existing one); what to tell the person. */
  static String export(Map<String, String> env, Path file, char[] passphrase) {
    LocalSettings settings = LocalSettings.fromEnvironment(env);
    BackupFile.checkPassphrase(passphrase);
    if (Files.exists(file)) {
      throw new IllegalArgumentException(file + " exists: an export never overwrites a file; name a new one");
    }
    if ((settings.appSecret() == null || settings.appSecret().isBlank())
        && !Files.exists(settings.dataDir().resolve(AppSecret.FILE_NAME))) {
      throw new IllegalArgumentException("no APP_SECRET: neither the environment nor " + settings.dataDir()
          + " has one, so nothing sealed could be opened (is ORCA_DATA_DIR right?)");
    }
    SecretBox secrets = new SecretBox(keys(settings, env));
    byte[] document;
    try (LocalDatabase database = LocalDatabase.open(settings, false)) {
      document = Backup.export(database(database.jdbc()), secrets);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the database: " + e.getMessage(), e);
    }
    write(file, BackupFile.seal(document, passphrase));
    Backup.Summary summary = Backup.describe(document);
    return "Exported " + counts(summary) + " to " + file + " (schema " + summary.schemaVersion() + ").\n"
        + "It holds every credential and secret Orca keeps, readable with the passphrase alone: keep the file as you"
        + " would those, and the passphrase apart from it.";
  }

  /** Restores {@code file} into the fresh database of this directory (or ORCA_DATABASE_URL); what to tell the person. */
  static String importFile(Map<String, String> env, Path file, char[] passphrase) {
    LocalSettings settings = LocalSettings.fromEnvironment(env);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no file " + file);
    }
    byte[] document;
    try {
      document = BackupFile.open(Files.readAllBytes(file), passphrase);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Backup.describe(document);
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + settings.dataDir(), e);
    }
    Backup.Summary summary;
    try (DataDirLock lock = DataDirLock.acquire(settings.dataDir(), "./orca up or another import is running on "
        + settings.dataDir() + ": an import goes into a data directory nothing uses");
        LocalDatabase database = LocalDatabase.open(settings, true)) {
      if (database.inUse()) {
        throw new IllegalArgumentException("./orca up is running on " + settings.dataDir() + ": an import goes into a"
            + " data directory nothing uses yet; stop it, and import into a new ORCA_DATA_DIR");
      }
      // The directory's own key, made now if it has none, as ./orca up would at its first start.
      KeyRing keys = keys(settings, env);
      summary = Backup.restore(database(database.jdbc()), new SecretBox(keys), new BlindIndex(keys.current()), document);
    } catch (SQLException e) {
      throw new IllegalStateException("nothing was imported: the database refused it (" + e.getMessage() + ")", e);
    }
    StringBuilder message = new StringBuilder("Imported " + counts(summary) + " from the export made "
        + summary.exportedAt() + ".\n"
        + "Start Orca on it (./orca up with this ORCA_DATA_DIR): its first start publishes the configuration to the"
        + " broker, and every application is synced and deployed again where its agent runs.\n"
        + "People sign in with their own passwords or providers; sessions did not move.\n"
        + "Every secret is sealed under " + keySource(settings) + ": the Orca that serves this database must have it.");
    if (!summary.agentsToReconnect().isEmpty()) {
      message.append("\nAgents on other hosts need new connection settings (their credentials belonged to the old"
          + " broker): as an admin, open Agents and rotate the token of ")
          .append(String.join(", ", summary.agentsToReconnect()))
          .append(", then paste the new settings on each host.");
    }
    return message.toString();
  }

  /** Where the importing side's APP_SECRET came from, in words. */
  private static String keySource(LocalSettings settings) {
    return settings.appSecret() != null && !settings.appSecret().isBlank() ? "the APP_SECRET of the environment"
        : "the APP_SECRET kept in " + settings.dataDir().resolve(AppSecret.FILE_NAME).toAbsolutePath()
            + (settings.databaseUrl() != null ? " (with ORCA_DATABASE_URL, give every gateway that APP_SECRET)" : "");
  }

  private static KeyRing keys(LocalSettings settings, Map<String, String> env) {
    String appSecret = AppSecret.resolve(settings.dataDir(), settings.appSecret());
    String previous = env.get("ORCA_APP_SECRET_PREVIOUS");
    if (settings.appSecret() == null || settings.appSecret().isBlank()) {
      String kept = AppSecret.previous(settings.dataDir());
      if (kept != null) {
        previous = previous == null || previous.isBlank() ? kept : previous + "," + kept;
      }
    }
    return KeyRing.fromSecrets(appSecret, previous);
  }

  private static Backup.Database database(LocalDatabase.Jdbc jdbc) {
    return new Backup.Database(jdbc.url(), jdbc.user(), jdbc.password());
  }

  private static String counts(Backup.Summary summary) {
    Map<String, String[]> names = Map.of("users", new String[] {"user", "users"},
        "agents", new String[] {"agent", "agents"}, "repositories", new String[] {"repository", "repositories"},
        "applications", new String[] {"application", "applications"},
        "deployments", new String[] {"deployment", "deployments"},
        "oidc_providers", new String[] {"OIDC provider", "OIDC providers"},
        "api_tokens", new String[] {"API token", "API tokens"}, "audit_log", new String[] {"audit entry", "audit entries"});
    return summary.rows().entrySet().stream().filter(entry -> names.containsKey(entry.getKey()))
        .map(entry -> entry.getValue() + " " + names.get(entry.getKey())[entry.getValue() == 1 ? 0 : 1])
        .collect(Collectors.joining(", "));
  }

  /** Owner-only from the first byte, and whole or not at all. */
  private static void write(Path file, byte[] bytes) {
    Path absolute = file.toAbsolutePath();
    Path temporary = absolute.resolveSibling("." + absolute.getFileName() + ".part");
    try {
      Files.deleteIfExists(temporary);
      Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(temporary, bytes);
      Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the failure below says what matters
      }
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
