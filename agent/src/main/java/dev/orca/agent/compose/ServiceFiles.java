package dev.orca.agent.compose;

import dev.orca.schemas.FilesDigest;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A digest of the application's files each service of the compose file uses, put on the service
 * as the label {@value #LABEL}. Compose recreates a container only when its configuration
 * changes, and the content of a mounted file is not part of it: without the label, a changed
 * config would deploy "successfully" into a container still running with the old one. A
 * service uses its {@code env_file}s, the files at or under its relative bind mounts and the
 * files of the {@code configs} and {@code secrets} it names; one that extends a service of
 * another file may use any of them. A service that uses none gets no label, so its container
 * is left alone.
 */
final class ServiceFiles {

  static final String LABEL = "orca-cd.files-digest";

  private ServiceFiles() {}

  /** The label per service that uses a file; services using none are absent. */
  static Map<String, Map<String, String>> labels(ComposeFile file, Map<String, byte[]> files) {
    Map<String, Map<String, String>> labels = new LinkedHashMap<>();
    if (files.isEmpty()) {
      return labels;
    }
    for (Map.Entry<String, Map<String, Object>> service : file.serviceDefinitions().entrySet()) {
      SortedMap<String, byte[]> used = used(file, service.getValue(), files);
      if (!used.isEmpty()) {
        labels.put(service.getKey(), Map.of(LABEL, digest(used)));
      }
    }
    return labels;
  }

  private static SortedMap<String, byte[]> used(ComposeFile file, Map<String, Object> service,
      Map<String, byte[]> files) {
    SortedMap<String, byte[]> used = new TreeMap<>();
    if (service.get("extends") instanceof Map<?, ?> extended && extended.get("file") != null) {
      used.putAll(files);
      return used;
    }
    for (Object entry : list(service.get("env_file"))) {
      addUnder(entry instanceof Map<?, ?> map ? map.get("path") : entry, files, used);
    }
    for (Object volume : list(service.get("volumes"))) {
      ComposePolicy.bindSource(volume).ifPresent(source -> addUnder(source, files, used));
    }
    for (String section : List.of("configs", "secrets")) {
      Map<?, ?> definitions = file.topLevel(section) instanceof Map<?, ?> map ? map : Map.of();
      for (Object entry : list(service.get(section))) {
        Object name = entry instanceof Map<?, ?> map ? map.get("source") : entry;
        if (definitions.get(name) instanceof Map<?, ?> definition) {
          addUnder(definition.get("file"), files, used);
        }
      }
    }
    return used;
  }

  /** The files at or under a path written in the compose file, when it is relative and in the directory. */
  private static void addUnder(Object path, Map<String, byte[]> files, SortedMap<String, byte[]> used) {
    if (!(path instanceof String written)) {
      return;
    }
    normalized(written.trim()).ifPresent(prefix -> files.forEach((name, content) -> {
      if (prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + "/")) {
        used.put(name, content);
      }
    }));
  }

  private static Optional<String> normalized(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.startsWith("~")) {
      return Optional.empty();
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (segments.pollLast() == null) {
          return Optional.empty();
        }
      } else {
        segments.addLast(part);
      }
    }
    return Optional.of(String.join("/", segments));
  }

  /** SHA-256 (hex) of the files in the encoding sync-stream's digest uses too. */
  private static String digest(SortedMap<String, byte[]> used) {
    MessageDigest digest = FilesDigest.sha256();
    FilesDigest.update(digest, used);
    return HexFormat.of().formatHex(digest.digest());
  }

  private static List<?> list(Object value) {
    if (value == null) {
      return List.of();
    }
    return value instanceof List<?> list ? list : List.of(value);
  }
}
