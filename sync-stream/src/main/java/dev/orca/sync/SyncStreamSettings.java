package dev.orca.sync;

import dev.orca.git.EgressPolicy;
import dev.orca.git.SshHosts;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * sync-stream's configuration. From the environment: {@code ORCA_KAFKA_BOOTSTRAP}
 * (localhost:9092), the {@code ORCA_TOPIC_*} variables, {@code ORCA_DATA_DIR} (./data; state in
 * {@code streams/}, mirrors in {@code git-cache/}), {@code ORCA_ALLOW_LOCAL_GIT} (false; true allows loopback and file:// remotes),
 * {@code ORCA_EGRESS_ALLOW} (none; private address ranges remotes may be in, see {@link EgressPolicy}),
 * {@code ORCA_APP_SECRET_PREVIOUS} (none; during a key rotation, the APP_SECRETs secrets may still be sealed with) and
 * {@code APP_SECRET} (none; the gateway's, needed to decrypt the secrets of private repositories),
 * {@code ORCA_GIT_WORKERS} (16; syncs whose git work runs at once), {@code ORCA_GIT_TIMEOUT} (30s;
 * every remote call of a sync) and {@code ORCA_SSH_KNOWN_HOSTS} (none; a known_hosts file whose
 * host keys ssh remotes must present; other hosts' keys are pinned on first use in
 * {@code ssh/known_hosts}); its credential on the broker from the variables {@link
 * KafkaSecurity#fromEnvironment} reads.
 */
public record SyncStreamSettings(String kafkaBootstrap, Topics topics, Path stateDir, Path gitCacheDir,
    boolean allowLocalGit, Duration gitTimeout, Duration revisionWait, String appSecret, int gitWorkers,
    SshHosts sshHosts, KafkaSecurity kafkaSecurity, EgressPolicy egress, String appSecretPrevious) {

  public static final Duration GIT_TIMEOUT = Duration.ofSeconds(30);
  /** Git work is mostly waiting on remotes: many more workers than cores, so a few hanging remotes hold up no one else. */
  public static final int GIT_WORKERS = 16;
  public static final Duration REVISION_WAIT = Duration.ofSeconds(10);

  /** Without previous APP_SECRETs (no key rotation under way). */
  public SyncStreamSettings(String kafkaBootstrap, Topics topics, Path stateDir, Path gitCacheDir,
      boolean allowLocalGit, Duration gitTimeout, Duration revisionWait, String appSecret, int gitWorkers,
      SshHosts sshHosts, KafkaSecurity kafkaSecurity, EgressPolicy egress) {
    this(kafkaBootstrap, topics, stateDir, gitCacheDir, allowLocalGit, gitTimeout, revisionWait, appSecret, gitWorkers,
        sshHosts, kafkaSecurity, egress, null);
  }

  /** Remotes reachable as {@code allowLocalGit} says, no private range allowed. */
  public SyncStreamSettings(String kafkaBootstrap, Topics topics, Path stateDir, Path gitCacheDir,
      boolean allowLocalGit, Duration gitTimeout, Duration revisionWait, String appSecret, int gitWorkers,
      SshHosts sshHosts, KafkaSecurity kafkaSecurity) {
    this(kafkaBootstrap, topics, stateDir, gitCacheDir, allowLocalGit, gitTimeout, revisionWait, appSecret, gitWorkers,
        sshHosts, kafkaSecurity, EgressPolicy.of(allowLocalGit, null));
  }

  /** Without authentication to the broker (a broker without it, or the tests' super-user listener). */
  public SyncStreamSettings(String kafkaBootstrap, Topics topics, Path stateDir, Path gitCacheDir,
      boolean allowLocalGit, Duration gitTimeout, Duration revisionWait, String appSecret, int gitWorkers,
      SshHosts sshHosts) {
    this(kafkaBootstrap, topics, stateDir, gitCacheDir, allowLocalGit, gitTimeout, revisionWait, appSecret, gitWorkers,
        sshHosts, KafkaSecurity.plaintext());
  }

  /** Without ssh settings: host keys pinned in {@code <gitCacheDir>/known_hosts}, no operator file. */
  public SyncStreamSettings(String kafkaBootstrap, Topics topics, Path stateDir, Path gitCacheDir,
      boolean allowLocalGit, Duration gitTimeout, Duration revisionWait, String appSecret, int gitWorkers) {
    this(kafkaBootstrap, topics, stateDir, gitCacheDir, allowLocalGit, gitTimeout, revisionWait, appSecret, gitWorkers,
        SshHosts.pinnedIn(gitCacheDir.resolve("known_hosts")));
  }

  public static SyncStreamSettings fromEnvironment(Map<String, String> env) {
    Path dataDir = Path.of(env.getOrDefault("ORCA_DATA_DIR", "./data"));
    return new SyncStreamSettings(
        env.getOrDefault("ORCA_KAFKA_BOOTSTRAP", "localhost:9092"),
        Topics.fromEnvironment(env),
        dataDir.resolve("streams"),
        dataDir.resolve("git-cache"),
        Boolean.parseBoolean(env.getOrDefault("ORCA_ALLOW_LOCAL_GIT", "false")),
        duration(env, "ORCA_GIT_TIMEOUT", GIT_TIMEOUT),
        REVISION_WAIT,
        env.get("APP_SECRET"),
        positive(env, "ORCA_GIT_WORKERS", GIT_WORKERS),
        SshHosts.of(env.get(SshHosts.KNOWN_HOSTS_VARIABLE), dataDir.resolve("ssh").resolve("known_hosts")),
        KafkaSecurity.fromEnvironment(env),
        EgressPolicy.of(Boolean.parseBoolean(env.getOrDefault("ORCA_ALLOW_LOCAL_GIT", "false")),
            env.get(EgressPolicy.ALLOW_VARIABLE)),
        env.get("ORCA_APP_SECRET_PREVIOUS"));
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m}; a bare number is milliseconds, as the gateway (Spring) reads the same variable. */
  static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m)?").matcher(value.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(name + " must be a positive duration like 30s, 500ms or 2m: " + value);
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  private static int positive(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    int parsed = Integer.parseInt(value.trim());
    if (parsed < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return parsed;
  }

  /** Leaves the APP_SECRET out, so settings can be logged. */
  @Override
  public String toString() {
    return "SyncStreamSettings[kafkaBootstrap=" + kafkaBootstrap + ", topics=" + topics + ", stateDir=" + stateDir
        + ", gitCacheDir=" + gitCacheDir + ", egress=" + egress + ", gitTimeout=" + gitTimeout
        + ", revisionWait=" + revisionWait + ", gitWorkers=" + gitWorkers + ", sshHosts=" + sshHosts + ", kafkaSecurity="
        + kafkaSecurity + ", appSecret=" + (appSecret == null ? "none" : "***") + ", appSecretPrevious="
        + (appSecretPrevious == null || appSecretPrevious.isBlank() ? "none" : "***") + "]";
  }
}
