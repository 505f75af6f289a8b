package dev.orca.sync.files;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The repository files one compose file references, as written in it: {@code env_file}s, bind
 * mounts with a relative source, {@code include}s, {@code extends.file}s and the files of
 * top-level {@code configs} and {@code secrets}. Absolute and home paths are the host's (the
 * agent's policy judges them), build contexts are not needed (agents pull images), and a path
 * holding a variable ({@code $VAR}, {@code ${VAR:-./x}}) cannot be resolved here, so each is left
 * out. Pure: text in, paths out.
 */
final class ComposeReferences {

  /** Where a path resolves from, and whether the file is itself a compose file to follow. */
  enum Kind {
    /** A file or a directory (every file under it). */
    PATH,
    /** A compose file ({@code include}, {@code extends}) whose own references count too. */
    COMPOSE
  }

  /**
   * A path as written, relative to the folder of the file naming it. For a compose reference,
   * {@code base} is the folder its own relative paths resolve from (an include's
   * {@code project_directory}, or the first file of an include's list), relative to the same
   * folder; null when it is the referenced file's own folder.
   */
  record Reference(String path, Kind kind, String base) {

    static Reference path(String path) {
      return new Reference(path, Kind.PATH, null);
    }

    static Reference compose(String path, String base) {
      return new Reference(path, Kind.COMPOSE, base);
    }
  }

  private ComposeReferences() {}

  /**
   * The references of a compose file in the order written; none when it is not a YAML mapping
   * (the agent reports a broken compose file, with the deployment that tried it).
   */
  static List<Reference> of(String yaml) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      return List.of();
    }
    if (!(root instanceof Map<?, ?> document)) {
      return List.of();
    }
    List<Reference> references = new ArrayList<>();
    for (Object entry : list(document.get("include"))) {
      include(entry, references);
    }
    if (document.get("services") instanceof Map<?, ?> services) {
      for (Object service : services.values()) {
        if (service instanceof Map<?, ?> definition) {
          service(definition, references);
        }
      }
    }
    for (String section : List.of("configs", "secrets")) {
      if (document.get(section) instanceof Map<?, ?> definitions) {
        for (Object definition : definitions.values()) {
          if (definition instanceof Map<?, ?> map) {
            relative(map.get("file")).map(Reference::path).ifPresent(references::add);
          }
        }
      }
    }
    return references;
  }

  private static void service(Map<?, ?> definition, List<Reference> references) {
    envFiles(definition.get("env_file"), references);
    for (Object volume : list(definition.get("volumes"))) {
      bindSource(volume).flatMap(ComposeReferences::relative).map(Reference::path).ifPresent(references::add);
    }
    // "extends: web" (a string) extends a service of the same file.
    if (definition.get("extends") instanceof Map<?, ?> extended) {
      relative(extended.get("file")).map(file -> Reference.compose(file, null)).ifPresent(references::add);
    }
  }

  /**
   * {@code include: [a.yaml, {path: b.yaml | [b.yaml, c.yaml], env_file: ..., project_directory: ...}]}.
   * An entry with a path that cannot be known here (a variable, a remote resource) is left out
   * whole: the paths of its other files would resolve from a folder that cannot be known either.
   */
  private static void include(Object entry, List<Reference> references) {
    if (!(entry instanceof Map<?, ?> map)) {
      local(entry).map(path -> Reference.compose(path, null)).ifPresent(references::add);
      return;
    }
    List<String> paths = new ArrayList<>();
    for (Object path : list(map.get("path"))) {
      Optional<String> local = local(path);
      if (local.isEmpty()) {
        return;
      }
      paths.add(local.get());
    }
    Object directory = map.get("project_directory");
    if (directory != null && (!(directory instanceof String) || hasVariable(directory))) {
      return;
    }
    envFiles(map.get("env_file"), references);
    if (directory != null && relative(directory).isEmpty()) {
      // The files' own relative paths lead to a folder of the host, not of the repository.
      paths.forEach(path -> references.add(Reference.path(path)));
      return;
    }
    // Compose resolves the paths of every file of one include from the first file's folder.
    String base = directory != null ? (String) directory : paths.size() < 2 ? null : parent(paths.get(0));
    paths.forEach(path -> references.add(Reference.compose(path, base)));
  }

  /** A string, a list of strings, or a list of {@code {path: ..., required: ...}}. */
  private static void envFiles(Object value, List<Reference> references) {
    for (Object entry : list(value)) {
      Object path = entry instanceof Map<?, ?> map ? map.get("path") : entry;
      relative(path).map(Reference::path).ifPresent(references::add);
    }
  }

  /**
   * The host path of a volume that binds one: short syntax {@code source:target[:mode]} whose
   * source is a path (starts with {@code .}, {@code /} or {@code ~}; a name is a named volume),
   * or long syntax with {@code type: bind}.
   */
  static Optional<String> bindSource(Object volume) {
    if (volume instanceof Map<?, ?> map) {
      Object source = map.get("source");
      return "bind".equals(map.get("type")) && source != null ? Optional.of(String.valueOf(source)) : Optional.empty();
    }
    if (volume == null) {
      return Optional.empty();
    }
    String entry = String.valueOf(volume).trim();
    int colon = entry.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String source = entry.substring(0, colon);
    return source.startsWith(".") || source.startsWith("/") || source.startsWith("~")
        ? Optional.of(source) : Optional.empty();
  }

  /** A relative path; an include naming a remote resource (git, OCI) is not a file of this repository. */
  private static Optional<String> local(Object path) {
    return relative(path).filter(p -> !p.contains("://") && !p.startsWith("git@") && !p.startsWith("oci:"));
  }

  /** The path when it is relative and holds no variable. */
  private static Optional<String> relative(Object value) {
    if (!(value instanceof String path) || path.isBlank() || hasVariable(path)) {
      return Optional.empty();
    }
    String trimmed = path.trim();
    return trimmed.startsWith("/") || trimmed.startsWith("~") ? Optional.empty() : Optional.of(trimmed);
  }

  private static boolean hasVariable(Object value) {
    return String.valueOf(value).contains("$");
  }

  /**
   * {@code path} written in a file of {@code folder} (both relative to the application's folder,
   * {@code ""} being that folder), as a normalized path relative to the application's folder
   * ({@code ""} for the folder itself): forward slashes, no {@code .}, no empty segment. Empty
   * when it leads above the application's folder.
   */
  static Optional<String> resolve(String folder, String path) {
    Deque<String> segments = new ArrayDeque<>();
    for (String part : (folder + "/" + path).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (segments.isEmpty()) {
          return Optional.empty();
        }
        segments.removeLast();
      } else {
        segments.addLast(part);
      }
    }
    return Optional.of(String.join("/", segments));
  }

  /** The folder of a normalized path ({@code ""} at the top). */
  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static List<?> list(Object value) {
    if (value == null) {
      return List.of();
    }
    return value instanceof List<?> list ? list : List.of(value);
  }
}
