package dev.orca.sync.files;

import dev.orca.git.Commit;
import dev.orca.git.CommitSource;
import dev.orca.git.GitException;
import dev.orca.sync.files.ComposeReferences.Kind;
import dev.orca.sync.files.ComposeReferences.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Gathers, at one commit, the files an application's compose file references (see
 * {@link ComposeReferences}) and the {@code .env} beside it, following {@code include} and {@code extends} into the files they
 * name, keyed by path relative to the compose file's folder (the application's folder). A path
 * leading above that folder fails the application; a path with nothing behind it is left to
 * compose (docker creates a missing bind-mount source, compose reports a missing env file). The
 * compose file and its files together are at most {@value #MAX_BYTES} bytes and
 * {@value #MAX_FILES} files; sizes are checked before any file is read.
 */
public final class ApplicationFiles {

  /** The compose file and its files together: well under Kafka's default 1 MB record limit. */
  public static final int MAX_BYTES = 512 * 1024;
  public static final int MAX_FILES = 1000;
  /** The file compose reads its variables from, in the compose file's folder. */
  static final String DOT_ENV = ".env";

  /** A compose file to scan: its path and the folder its relative paths resolve from, both in the application's folder. */
  private record Scan(String path, String folder, String text) {}

  private ApplicationFiles() {}

  /**
   * The files by path relative to the application's folder (forward slashes, normalized), in
   * path order, without the compose file itself; empty when it references none.
   */
  public static SortedMap<String, byte[]> gather(CommitSource.Snapshot snapshot, Commit commit, String composePath,
      byte[] compose) throws GitException, ApplicationFilesException {
    String composeFile = ComposeReferences.resolve("", composePath).orElse("");
    String folder = ComposeReferences.parent(composeFile);
    String self = folder.isEmpty() ? composeFile : composeFile.substring(folder.length() + 1);

    SortedMap<String, Long> sizes = new TreeMap<>();
    Map<String, byte[]> read = new HashMap<>();
    Set<String> followed = new HashSet<>(Set.of(self));
    Deque<Scan> scans = new ArrayDeque<>(List.of(new Scan(self, "", new String(compose, StandardCharsets.UTF_8))));
    long total = compose.length;
    while (!scans.isEmpty()) {
      Scan scan = scans.poll();
      for (Reference reference : ComposeReferences.of(scan.text())) {
        String path = inFolder(scan, reference.path(), folder);
        String repositoryPath = join(folder, path);
        SortedMap<String, Long> listed = snapshot.listFiles(commit, repositoryPath, MAX_FILES);
        for (Map.Entry<String, Long> file : listed.entrySet()) {
          String name = folder.isEmpty() ? file.getKey() : file.getKey().substring(folder.length() + 1);
          if (!name.equals(self) && sizes.put(name, file.getValue()) == null) {
            total += file.getValue();
          }
        }
        if (listed.size() > MAX_FILES || sizes.size() > MAX_FILES) {
          throw new ApplicationFilesException("compose file " + composeFile + " references more than " + MAX_FILES
              + " files at " + commit.sha() + ", the most an application may carry");
        }
        boolean isFile = listed.size() == 1 && listed.containsKey(repositoryPath);
        // Past the bound the sync fails anyway: a file is not read just to find more references.
        if (reference.kind() == Kind.COMPOSE && isFile && total <= MAX_BYTES && followed.add(path)) {
          String base = reference.base() == null ? ComposeReferences.parent(path)
              : inFolder(scan, reference.base(), folder);
          Optional<byte[]> bytes = snapshot.read(commit, repositoryPath);
          if (bytes.isPresent()) {
            read.put(path, bytes.get());
            scans.add(new Scan(path, base, new String(bytes.get(), StandardCharsets.UTF_8)));
          }
        }
      }
    }
    // Compose reads the .env beside the compose file without being told (interpolation).
    SortedMap<String, Long> dotEnv = snapshot.listFiles(commit, join(folder, DOT_ENV), 1);
    Long dotEnvSize = dotEnv.get(join(folder, DOT_ENV));
    if (dotEnv.size() == 1 && dotEnvSize != null && sizes.put(DOT_ENV, dotEnvSize) == null) {
      total += dotEnvSize;
    }
    if (total > MAX_BYTES) {
      throw new ApplicationFilesException("compose file " + composeFile + " and the " + sizes.size()
          + " files it references at " + commit.sha() + " are " + kib(total) + " KiB together, more than the limit of "
          + MAX_BYTES / 1024 + " KiB");
    }
    List<String> unread = new ArrayList<>();
    for (String path : sizes.keySet()) {
      if (!read.containsKey(path)) {
        unread.add(join(folder, path));
      }
    }
    Map<String, Optional<byte[]>> contents = unread.isEmpty() ? Map.of() : snapshot.readAll(commit, unread);
    SortedMap<String, byte[]> files = new TreeMap<>();
    for (String path : sizes.keySet()) {
      byte[] bytes = read.containsKey(path) ? read.get(path) : contents.get(join(folder, path)).orElse(null);
      if (bytes != null) {
        files.put(path, bytes);
      }
    }
    return files;
  }

  /** A path written in a scanned file, relative to the application's folder; fails when it leads above it. */
  private static String inFolder(Scan scan, String path, String folder) throws ApplicationFilesException {
    Optional<String> resolved = ComposeReferences.resolve(scan.folder(), path);
    if (resolved.isEmpty()) {
      throw new ApplicationFilesException(join(folder, scan.path()) + " references " + path
          + ", which escapes the application's folder " + (folder.isEmpty() ? "(the repository's root)" : folder)
          + "; only files below it are sent to the agent");
    }
    return resolved.get();
  }

  private static String join(String folder, String path) {
    return folder.isEmpty() ? path : path.isEmpty() ? folder : folder + "/" + path;
  }

  private static long kib(long bytes) {
    return (bytes + 1023) / 1024;
  }
}
