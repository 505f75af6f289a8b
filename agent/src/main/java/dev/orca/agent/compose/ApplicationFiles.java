package dev.orca.agent.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository files a deployment carries ({@code env_file}s, mounted configs, included compose
 * files), written under the application's directory where the compose file's relative paths
 * find them: files 0600, directories the agent creates 0700, each file replaced atomically. The
 * paths written are kept in {@value DeploymentsDir#FILES_MANIFEST}; the next deployment deletes
 * those it no longer carries and nothing else, since containers keep their data in bind-mounted
 * directories here. A path is refused when it is absolute, is not normalized, leads above the
 * directory or would replace one of the agent's own files; no path is followed through a
 * symbolic link, so a link a container left in a mounted directory cannot send a write or a
 * deletion elsewhere on the host.
 */
public final class ApplicationFiles {

  private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private static final Logger log = LoggerFactory.getLogger(ApplicationFiles.class);

  /** The most of {@code compose config}'s output the agent reads (the stack, resolved). */
  static final int MAX_RESOLVED_BYTES = 4 * 1024 * 1024;

  private final DeploymentsDir dirs;

  public ApplicationFiles(DeploymentsDir dirs) {
    this.dirs = dirs;
  }

  /** Why these paths cannot be written under an application's directory; empty when they all can. */
  public static Optional<String> refusal(Set<String> paths) {
    List<String> problems = new ArrayList<>();
    for (String path : new TreeSet<>(paths)) {
      pathProblem(path).ifPresent(problem -> problems.add("'" + printable(path) + "' " + problem));
    }
    if (problems.isEmpty()) {
      // "conf" and "conf/app.conf" cannot both be written: one would have to be a file and a directory.
      for (String path : paths) {
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
          if (paths.contains(path.substring(0, slash))) {
            problems.add("'" + path.substring(0, slash) + "' is both a file and the directory of '" + path + "'");
          }
        }
      }
    }
    return problems.isEmpty() ? Optional.empty()
        : Optional.of("refused the application's files: " + String.join("; ", problems));
  }

  private static Optional<String> pathProblem(String path) {
    if (path.isEmpty()) {
      return Optional.of("is empty");
    }
    if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("holds a control character");
    }
    if (path.startsWith("/")) {
      return Optional.of("is absolute");
    }
    String[] segments = path.split("/", -1);
    for (String segment : segments) {
      if (segment.equals("..")) {
        return Optional.of("leads above the application's directory");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        return Optional.of("is not a normalized relative path");
      }
    }
    if (DeploymentsDir.AGENT_FILES.contains(segments[0])) {
      return Optional.of("would replace the agent's own " + segments[0]);
    }
    return Optional.empty();
  }

  private static String printable(String path) {
    return path.replaceAll("\\p{Cntrl}", "?");
  }

  /**
   * Writes the files (paths checked by {@link #refusal}) and deletes the ones the previous
   * deployment wrote that are not among them. The manifest lists both while the files are
   * written, so a write cut short leaves nothing the next deployment would not clean up.
   */
  public void write(String applicationId, Map<String, byte[]> files) {
    Optional<String> refused = refusal(files.keySet());
    if (refused.isPresent()) {
      throw new IllegalArgumentException(refused.get());
    }
    Path dir = dirs.application(applicationId);
    Set<String> previous = manifest(applicationId);
    if (files.isEmpty() && previous.isEmpty()) {
      return;
    }
    Set<String> both = new TreeSet<>(previous);
    both.addAll(files.keySet());
    if (!files.isEmpty()) {
      dirs.writeSecret(applicationId, DeploymentsDir.FILES_MANIFEST, lines(both));
    }
    try {
      for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
        writeFile(dir, file.getKey(), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the application's files: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      dirs.delete(applicationId, DeploymentsDir.FILES_MANIFEST);
    } else {
      dirs.writeSecret(applicationId, DeploymentsDir.FILES_MANIFEST, lines(new TreeSet<>(files.keySet())));
    }
    for (String gone : previous) {
      if (!files.containsKey(gone)) {
        deleteFile(dir, gone);
      }
    }
  }

  /** The paths the last deployment wrote; a manifest line that is not a writable path is ignored. */
  Set<String> manifest(String applicationId) {
    Path file = dirs.application(applicationId).resolve(DeploymentsDir.FILES_MANIFEST);
    Set<String> paths = new TreeSet<>();
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return paths;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (pathProblem(line).isEmpty()) {
          paths.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return paths;
  }

  private static String lines(Set<String> paths) {
    StringBuilder out = new StringBuilder();
    paths.forEach(path -> out.append(path).append('\n'));
    return out.toString();
  }

  private static void writeFile(Path dir, String path, byte[] content) throws IOException {
    Path parent = directoryOf(dir, path, true).orElseThrow();
    Path target = parent.resolve(name(path));
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(path + " is a directory in the application's directory");
    }
    Path temp = Files.createTempFile(parent, ".orca-tmp-", "", FILE);
    try {
      Files.write(temp, content);
      // A rename replaces a symbolic link at the target itself, never what it points to.
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** A file the deployment no longer carries; one that cannot be deleted is only logged, it harms no one. */
  private static void deleteFile(Path dir, String path) {
    try {
      Optional<Path> parent = directoryOf(dir, path, false);
      if (parent.isPresent()) {
        Path target = parent.get().resolve(name(path));
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(target);
        }
      }
    } catch (IOException e) {
      log.warn("cannot delete {} of {} that the previous deployment wrote: {}", path, dir, e.getMessage());
    }
  }

  /**
   * The directory {@code path} is written in, made of real directories only (no symbolic link
   * followed); created with mode 0700 where missing when {@code create}, else empty when missing.
   */
  private static Optional<Path> directoryOf(Path dir, String path, boolean create) throws IOException {
    Path current = dir;
    String[] segments = path.split("/");
    for (int i = 0; i < segments.length - 1; i++) {
      current = current.resolve(segments[i]);
      if (Files.isSymbolicLink(current)) {
        throw new IOException(String.join("/", List.of(segments).subList(0, i + 1))
            + " is a symbolic link in the application's directory; it is not followed");
      }
      if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
        if (!create) {
          return Optional.empty();
        }
        Files.createDirectory(current, DIRECTORY);
      } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(String.join("/", List.of(segments).subList(0, i + 1))
            + " is a file in the application's directory, not a directory");
      }
    }
    return Optional.of(current);
  }

  private static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
