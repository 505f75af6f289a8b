package dev.orca.agent.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a stack may ask of its host, checked on the agent before anything runs: no privileged
 * mode, no dangerous capabilities, no host namespaces, no Docker socket, and no bind mount of the
 * host outside the application's own directory. A refusal names the service and the rule, so
 * whoever wrote the compose file knows what to change.
 */
public final class ComposePolicy {

  /** Capabilities that give a container the host (or its network, processes or kernel). */
  static final Set<String> DANGEROUS_CAPABILITIES = Set.of("ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE",
      "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME", "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN",
      "MAC_OVERRIDE");
  /** Keys whose value {@code host} shares a namespace of the host. */
  private static final List<String> NAMESPACES = List.of("network_mode", "pid", "ipc", "uts", "userns_mode", "cgroup");
  private static final Set<String> DOCKER_SOCKETS = Set.of("/var/run/docker.sock", "/run/docker.sock");

  private ComposePolicy() {}

  /** Every rule the stack breaks, one line each; empty when it may run. */
  public static List<String> violations(ComposeFile file, Path applicationDir) {
    List<String> violations = new ArrayList<>();
    Path home = applicationDir.toAbsolutePath().normalize();
    for (Map.Entry<String, Map<String, Object>> service : file.serviceDefinitions().entrySet()) {
      String name = service.getKey();
      Map<String, Object> definition = service.getValue();
      if (isTrue(definition.get("privileged"))) {
        violations.add("service '" + name + "' asks for privileged mode (rule: privileged)");
      }
      for (Object capability : list(definition.get("cap_add"))) {
        String cap = String.valueOf(capability).trim().toUpperCase(Locale.ROOT);
        cap = cap.startsWith("CAP_") ? cap.substring(4) : cap;
        if (DANGEROUS_CAPABILITIES.contains(cap)) {
          violations.add("service '" + name + "' adds capability " + cap + " (rule: cap_add)");
        }
      }
      for (String key : NAMESPACES) {
        if ("host".equalsIgnoreCase(String.valueOf(definition.get(key)).trim())) {
          violations.add("service '" + name + "' shares the host's namespace: " + key + ": host (rule: host namespaces)");
        }
      }
      for (Object volume : list(definition.get("volumes"))) {
        bindSource(volume).ifPresent(source -> checkBind(name, source, home, violations));
      }
    }
    return violations;
  }

  /** The violations as one message, or empty when the stack may run. */
  public static Optional<String> refusal(ComposeFile file, Path applicationDir) {
    List<String> violations = violations(file, applicationDir);
    return violations.isEmpty() ? Optional.empty()
        : Optional.of("refused by the agent's policy: " + String.join("; ", violations));
  }

  private static void checkBind(String service, String source, Path home, List<String> violations) {
    String trimmed = source.trim();
    if (trimmed.startsWith("~")) {
      violations.add("service '" + service + "' mounts " + trimmed + " from the host (rule: host bind mounts)");
      return;
    }
    Path path = home.resolve(trimmed).normalize();
    if (DOCKER_SOCKETS.contains(path.toString())) {
      violations.add("service '" + service + "' mounts the Docker socket " + path + " (rule: docker socket)");
    } else if (!path.startsWith(home)) {
      violations.add("service '" + service + "' mounts " + trimmed + " from the host, outside the application's "
          + "directory (rule: host bind mounts)");
    }
  }

  /**
   * The host path of a volume entry that binds one: short syntax {@code source:target[:mode]}
   * with a source that is a path (a name is a named volume), or long syntax with
   * {@code type: bind}. Empty for named volumes, anonymous volumes and tmpfs.
   */
  static Optional<String> bindSource(Object volume) {
    if (volume instanceof Map<?, ?> map) {
      Object type = map.get("type");
      Object source = map.get("source");
      return "bind".equals(type) && source != null ? Optional.of(String.valueOf(source)) : Optional.empty();
    }
    String entry = String.valueOf(volume).trim();
    int colon = entry.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String source = entry.substring(0, colon);
    boolean isPath = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
    return isPath ? Optional.of(source) : Optional.empty();
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> list ? list : List.of();
  }

  private static boolean isTrue(Object value) {
    return value instanceof Boolean b ? b : "true".equalsIgnoreCase(String.valueOf(value).trim());
  }
}
