package dev.orca.agent.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Layout of the deployments directory: one directory per application (mode 0700) holding its
 * compose file, its {@code .env}, the agent's state and the files of the application's
 * repository ({@link ApplicationFiles}), each written atomically with mode 0600.
 */
public record DeploymentsDir(Path root) {

  public static final String COMPOSE_FILE = "docker-compose.yml";
  public static final String ENV_FILE = ".env";
  /** The last deployment completed, so repeated and older commands stay no-ops across restarts. */
  public static final String STATE_FILE = ".orca-state";
  /** The repository files the last deployment wrote, one path a line, so the next removes the ones it drops. */
  public static final String FILES_MANIFEST = ".orca-files";
  /** What the agent itself writes at the top of an application's directory: no repository file may replace it. */
  public static final Set<String> AGENT_FILES = Set.of(COMPOSE_FILE, ENV_FILE, STATE_FILE, FILES_MANIFEST);

  public Path application(String applicationId) {
    if (!Names.validApplicationId(applicationId)) {
      throw new IllegalArgumentException("invalid application id: " + applicationId);
    }
    return root.resolve(applicationId);
  }

  public Path composeFile(String applicationId) {
    return application(applicationId).resolve(COMPOSE_FILE);
  }

  /** Ids of the applications that have a directory here. */
  public List<String> applications() {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return ids;
    }
    try (Stream<Path> children = Files.list(root)) {
      children.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(Names::validApplicationId)
          .forEach(ids::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    ids.sort(String::compareTo);
    return ids;
  }

  /** Writes {@code content} to {@code name} in the application's directory, replacing it atomically. */
  public void writeSecret(String applicationId, String name, String content) {
    Path dir = application(applicationId);
    try {
      Files.createDirectories(root);
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path temp = Files.createTempFile(dir, ".tmp-", "",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(name), e);
    }
  }

  public void delete(String applicationId, String name) {
    try {
      Files.deleteIfExists(application(applicationId).resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + name + " of " + applicationId, e);
    }
  }

  /** Deletes the application's directory and everything in it; a missing directory is fine. */
  public void deleteApplication(String applicationId) {
    Path dir = application(applicationId);
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
