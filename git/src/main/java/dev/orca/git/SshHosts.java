package dev.orca.git;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the host keys of ssh remotes are checked. A host listed in {@code knownHosts} (the
 * operator's known_hosts file, {@code ORCA_SSH_KNOWN_HOSTS}; null for none) must present one of
 * the keys listed there. Any other host's key is pinned on first use in {@code pinned}, a
 * known_hosts file Orca owns, and must be the same on every later connection. The user's
 * {@code ~/.ssh} (keys, known_hosts, config, agent) is never read: Orca runs as a service.
 */
public record SshHosts(Path knownHosts, Path pinned) {

  /** The name operators know the given file by, used in every message about it. */
  public static final String KNOWN_HOSTS_VARIABLE = "ORCA_SSH_KNOWN_HOSTS";

  public SshHosts {
    Objects.requireNonNull(pinned, "the file host keys are pinned in");
    knownHosts = knownHosts == null ? null : knownHosts.toAbsolutePath().normalize();
    pinned = pinned.toAbsolutePath().normalize();
  }

  /** From a setting that may be unset or blank (no operator file) and the file Orca pins keys in. */
  public static SshHosts of(String knownHostsSetting, Path pinned) {
    boolean none = knownHostsSetting == null || knownHostsSetting.isBlank();
    return new SshHosts(none ? null : Path.of(knownHostsSetting.trim()), pinned);
  }

  /** Only pinning, no operator file. */
  public static SshHosts pinnedIn(Path pinned) {
    return new SshHosts(null, pinned);
  }
}
