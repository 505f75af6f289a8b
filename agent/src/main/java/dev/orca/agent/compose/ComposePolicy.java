package dev.orca.agent.compose;

import dev.orca.schemas.PolicyRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a stack may ask of its host, checked on the agent before anything runs: no privileged
 * mode, no dangerous capabilities, no host namespaces, no Docker socket, and no bind mount of the
 * host outside the application's own directory, in the compose file and in every compose file
 * it includes or extends from. A refusal names the service (and its file) and the rule, so
 * whoever wrote the compose file knows what to change.
 */
public final class ComposePolicy {

  /** Capabilities that give a container the host (or its network, processes or kernel). */
  static final Set<String> DANGEROUS_CAPABILITIES = Set.of("ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE",
      "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME", "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN",
      "MAC_OVERRIDE");
  /** Keys whose value {@code host} shares a namespace of the host. */
  private static final List<String> NAMESPACES = List.of("network_mode", "pid", "ipc", "uts", "userns_mode", "cgroup");
  /** The keys of a service the policy reads (a variable in any of them hides what it judges). */
  private static final List<String> JUDGED = List.of("privileged", "cap_add", "volumes", "network_mode", "pid", "ipc",
      "uts", "userns_mode", "cgroup");
  private static final Set<String> DOCKER_SOCKETS = Set.of("/var/run/docker.sock", "/run/docker.sock");

  private ComposePolicy() {}

  /** Every rule a stack without other files breaks, one line each; empty when it may run. */
  public static List<String> violations(ComposeFile file, Path applicationDir) {
    return violations(file, Map.of(), applicationDir);
  }

  /**
   * Every rule the stack breaks, one line each; empty when it may run. The compose files it
   * includes or extends from are checked as well (their services run too, their relative bind
   * mounts resolve from their own folder), so they must be among the deployment's {@code files}:
   * one the agent cannot read first (outside the application's directory, remote, named with a
   * variable, not carried) is a violation.
   */
  public static List<String> violations(ComposeFile file, Map<String, byte[]> files, Path applicationDir) {
    return check(file, files, applicationDir, new ArrayList<>());
  }

  /**
   * Where the stack names what the policy judges through a variable ({@code privileged: ${P}},
   * {@code - ${DATA}:/data}, {@code network_mode: $NET}...): compose fills those in from the
   * {@code .env} and the agent's own environment, so they can only be judged in the stack compose
   * resolved. Empty when there is no such place.
   */
  public static List<String> variables(ComposeFile file, Map<String, byte[]> files, Path applicationDir) {
    List<String> variables = new ArrayList<>();
    check(file, files, applicationDir, variables);
    return variables;
  }

  private static List<String> check(ComposeFile file, Map<String, byte[]> files, Path applicationDir,
      List<String> variables) {
    List<String> violations = new ArrayList<>();
    Path home = applicationDir.toAbsolutePath().normalize();
    Deque<Part> parts = new ArrayDeque<>(List.of(new Part(file, home, "")));
    // The main file is written as docker-compose.yml: a file extending from itself names it so.
    Set<String> checked = new HashSet<>(Set.of(DeploymentsDir.COMPOSE_FILE));
    while (!parts.isEmpty()) {
      Part part = parts.poll();
      services(part, home, violations, variables);
      for (Reference reference : references(part.file())) {
        Optional<String> path = readable(reference.path(), part, files, home, violations);
        if (path.isEmpty() || !checked.add(path.get())) {
          continue;
        }
        if (reference.base() != null && (reference.base().contains("$") || reference.base().trim().startsWith("~"))) {
          violations.add("compose file " + path.get() + part.where() + " is included with project_directory "
              + reference.base() + ", so the agent cannot check where its paths lead (rule: included files)");
          continue;
        }
        Path base = reference.base() == null ? home.resolve(path.get()).getParent()
            : part.base().resolve(reference.base()).normalize();
        try {
          ComposeFile included = ComposeFile.parsePart(new String(files.get(path.get()), StandardCharsets.UTF_8));
          parts.add(new Part(included, base, " (in " + path.get() + ")"));
        } catch (InvalidComposeFileException e) {
          violations.add("compose file " + path.get() + part.where() + " cannot be checked: " + e.getMessage()
              + " (rule: included files)");
        }
      }
    }
    return violations;
  }

  /** The compose file, relative to the application's directory, that a reference names, when the agent can check it. */
  private static Optional<String> readable(String path, Part part, Map<String, byte[]> files, Path home,
      List<String> violations) {
    String trimmed = path.trim();
    String problem;
    if (trimmed.contains("$")) {
      problem = "holds a variable";
    } else if (trimmed.contains("://") || trimmed.startsWith("git@") || trimmed.startsWith("oci:")) {
      problem = "is a remote resource";
    } else if (trimmed.startsWith("~") || !part.base().resolve(trimmed).normalize().startsWith(home)) {
      problem = "is outside the application's directory";
    } else {
      String relative = home.relativize(part.base().resolve(trimmed).normalize()).toString().replace('\\', '/');
      if (files.containsKey(relative) || relative.equals(DeploymentsDir.COMPOSE_FILE)) {
        return Optional.of(relative);
      }
      problem = "is not among the files the deployment carries";
    }
    violations.add("compose file " + trimmed + part.where() + " " + problem + ", so the agent cannot check it"
        + " (rule: included files)");
    return Optional.empty();
  }

  private static void services(Part part, Path home, List<String> violations, List<String> variables) {
    for (Map.Entry<String, Map<String, Object>> service : part.file().serviceDefinitions().entrySet()) {
      String name = "service '" + service.getKey() + "'" + part.where();
      Map<String, Object> definition = service.getValue();
      for (String key : JUDGED) {
        if (String.valueOf(definition.get(key)).contains("$")) {
          variables.add(name + " " + key);
        }
      }
      if (isTrue(definition.get("privileged"))) {
        violations.add(name + " asks for privileged mode (rule: privileged)");
      }
      for (Object capability : list(definition.get("cap_add"))) {
        String cap = String.valueOf(capability).trim().toUpperCase(Locale.ROOT);
        cap = cap.startsWith("CAP_") ? cap.substring(4) : cap;
        if (DANGEROUS_CAPABILITIES.contains(cap)) {
          violations.add(name + " adds capability " + cap + " (rule: capabilities)");
        }
      }
      for (String key : NAMESPACES) {
        if ("host".equalsIgnoreCase(String.valueOf(definition.get(key)).trim())) {
          violations.add(name + " shares the host's namespace: " + key + ": host (rule: host-namespaces)");
        }
      }
      for (Object volume : list(definition.get("volumes"))) {
        bindSource(volume).ifPresent(source -> checkBind(name, source, part.base(), home, violations));
      }
    }
  }

  /** The compose files a file includes ({@code include}) or extends services from ({@code extends.file}). */
  private static List<Reference> references(ComposeFile file) {
    List<Reference> references = new ArrayList<>();
    for (Object entry : list(file.topLevel("include"))) {
      if (entry instanceof Map<?, ?> map) {
        List<?> paths = map.get("path") instanceof List<?> many ? many : List.of(String.valueOf(map.get("path")));
        Object directory = map.get("project_directory");
        // Compose resolves the paths of every file of one include from the first file's folder.
        String base = directory != null ? String.valueOf(directory)
            : paths.size() > 1 ? parentOf(String.valueOf(paths.get(0))) : null;
        paths.forEach(path -> references.add(new Reference(String.valueOf(path), base)));
      } else if (entry != null) {
        references.add(new Reference(String.valueOf(entry), null));
      }
    }
    for (Map<String, Object> definition : file.serviceDefinitions().values()) {
      if (definition.get("extends") instanceof Map<?, ?> extended && extended.get("file") != null) {
        references.add(new Reference(String.valueOf(extended.get("file")), null));
      }
    }
    return references;
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "." : path.substring(0, slash);
  }

  /** The violations as one message, or empty when the stack may run. */
  public static Optional<String> refusal(ComposeFile file, Path applicationDir) {
    return refusal(file, Map.of(), applicationDir);
  }

  /** The rules an admin may allow for one application; "included files" is not one of them. */
  public static final Set<String> RULES = Set.copyOf(PolicyRules.ALL);

  /** The violations as one message, or empty when the stack may run. */
  public static Optional<String> refusal(ComposeFile file, Map<String, byte[]> files, Path applicationDir) {
    return refusal(file, files, applicationDir, Set.of());
  }

  /** The violations of rules not in {@code allowed}, as one message, or empty when the stack may run. */
  public static Optional<String> refusal(ComposeFile file, Map<String, byte[]> files, Path applicationDir,
      Set<String> allowed) {
    List<String> violations = violations(file, files, applicationDir).stream()
        .filter(v -> allowed.stream().filter(RULES::contains).noneMatch(rule -> v.endsWith("(rule: " + rule + ")")))
        .toList();
    return violations.isEmpty() ? Optional.empty()
        : Optional.of("refused by the agent's policy: " + String.join("; ", violations));
  }

  /** One compose file of the stack: the folder its relative paths resolve from, and how messages name it. */
  private record Part(ComposeFile file, Path base, String where) {}

  /** A compose file another names, with the folder its own paths resolve from when not its own (relative to the naming file's). */
  private record Reference(String path, String base) {}

  private static void checkBind(String service, String source, Path base, Path home, List<String> violations) {
    String trimmed = source.trim();
    if (trimmed.startsWith("~")) {
      violations.add(service + " mounts " + trimmed + " from the host (rule: host-mounts)");
      return;
    }
    Path path = base.resolve(trimmed).normalize();
    if (DOCKER_SOCKETS.contains(path.toString())) {
      violations.add(service + " mounts the Docker socket " + path + " (rule: docker-socket)");
    } else if (!path.startsWith(home)) {
      violations.add(service + " mounts " + trimmed + " from the host, outside the application's "
          + "directory (rule: host-mounts)");
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
