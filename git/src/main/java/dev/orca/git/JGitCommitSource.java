package dev.orca.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.eclipse.jgit.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CommitSource} over a local bare mirror per repository ({@code <cacheDir>/<repositoryId>.git}),
 * kept open between syncs: one fetch of {@code refs/heads/*} per sync, bounded by the timeout, then
 * every read is local. Authentication as {@link RemoteAccess}; ssh host keys checked as
 * {@link SshHosts} says.
 *
 * <p>A mirror has one writer at a time: a fetch, its repacking, or its removal, under the
 * mirror's write lock, which the fetch's own thread holds until it really ends (a fetch that
 * timed out keeps it until JGit gives up, so the next fetch waits for it instead of racing it).
 * Under the lock, lock and temporary files that a killed or interrupted fetch left behind are
 * removed first, so one bad fetch never leaves a mirror the next cannot use. Reads take no lock
 * (JGit reads while packs are replaced). Every fetch adds a pack; once a mirror has
 * {@value #MAX_PACKS} packs it is repacked and pruned in the background, so the cost of a sync
 * does not grow with the number of syncs.
 */
public final class JGitCommitSource implements CommitSource, AutoCloseable {

  /** Packs a mirror may gather before it is repacked. */
  static final int MAX_PACKS = 32;
  private static final Logger log = LoggerFactory.getLogger(JGitCommitSource.class);

  private final Path cacheDir;
  private final EgressPolicy egress;
  private final SshHosts sshHosts;
  private final GitCalls calls;
  private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();
  private final ExecutorService maintenance = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "git-mirror-maintenance");
    thread.setDaemon(true);
    return thread;
  });

  /** One mirror: the open repository, its writers' lock, and whether a repack is already queued. */
  private static final class Mirror {
    final Path dir;
    final Repository repository;
    final ReentrantLock lock = new ReentrantLock();
    final AtomicBoolean repackQueued = new AtomicBoolean();

    Mirror(Path dir, Repository repository) {
      this.dir = dir;
      this.repository = repository;
    }
  }

  /** ssh host keys are pinned in {@code <cacheDir>/known_hosts}; no operator file is read. */
  public JGitCommitSource(Path cacheDir, boolean allowLocalGit, Duration timeout) {
    this(cacheDir, EgressPolicy.of(allowLocalGit, null), timeout);
  }

  /** Every remote it connects to is checked against {@code egress}, at connect time. */
  public JGitCommitSource(Path cacheDir, EgressPolicy egress, Duration timeout) {
    this(cacheDir, egress, timeout, SshHosts.pinnedIn(cacheDir.resolve("known_hosts")));
  }

  public JGitCommitSource(Path cacheDir, boolean allowLocalGit, Duration timeout, SshHosts sshHosts) {
    this(cacheDir, EgressPolicy.of(allowLocalGit, null), timeout, sshHosts);
  }

  public JGitCommitSource(Path cacheDir, EgressPolicy egress, Duration timeout, SshHosts sshHosts) {
    this.cacheDir = cacheDir;
    this.egress = egress;
    this.sshHosts = sshHosts;
    this.calls = new GitCalls(timeout, "sync-git-fetch");
  }

  @Override
  public Snapshot fetch(GitRemote remote) throws GitException {
    RemotePolicy.check(remote.url(), egress);
    try (RemoteAccess access = RemoteAccess.of(remote, sshHosts, egress, calls.timeout())) {
      Mirror mirror = mirror(remote.repositoryId());
      calls.bounded(remote, "fetch", access, () -> {
        mirror.lock.lockInterruptibly();
        try {
          removeLeftovers(mirror.dir);
          return access.apply(Git.wrap(mirror.repository).fetch())
              .setRemote(remote.url())
              .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
              .setRemoveDeletedRefs(true)
              .setTagOpt(TagOpt.NO_TAGS)
              .setTimeout(calls.readTimeoutSeconds())
              .call();
        } finally {
          mirror.lock.unlock();
        }
      });
      maybeRepack(remote.repositoryId(), mirror);
      return new MirrorSnapshot(mirror.repository);
    }
  }

  @Override
  public void forget(String repositoryId) {
    if (!isMirrorName(repositoryId)) {
      return;
    }
    maintenance.execute(() -> {
      Mirror mirror = mirrors.remove(repositoryId);
      Path dir = cacheDir.resolve(repositoryId + ".git");
      try {
        // A fetch still running ends within its timeout; one that does not is not waited for
        // longer (its repository is gone), so it cannot hold up the repacks queued behind.
        if (mirror != null && !mirror.lock.tryLock(2 * calls.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("removing the mirror of deleted repository {} while a fetch of it still runs", repositoryId);
        }
        if (mirror != null) {
          mirror.repository.close();
        }
        FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
        log.info("removed the mirror of deleted repository {}", repositoryId);
      } catch (IOException | RuntimeException e) {
        log.warn("cannot remove the mirror of deleted repository {} at {}: {}", repositoryId, dir, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** How many pack files the repository's mirror has now; 0 when it has none yet. */
  int packCount(String repositoryId) {
    return packs(cacheDir.resolve(repositoryId + ".git"));
  }

  /** Waits until the background work queued so far (repacks, removals) is done. */
  void awaitMaintenance() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    maintenance.execute(done::countDown);
    done.await();
  }

  @Override
  public void close() {
    calls.close();
    maintenance.shutdownNow();
    mirrors.values().forEach(m -> m.repository.close());
    mirrors.clear();
  }

  private void maybeRepack(String repositoryId, Mirror mirror) {
    if (packs(mirror.dir) < MAX_PACKS || !mirror.repackQueued.compareAndSet(false, true)) {
      return;
    }
    maintenance.execute(() -> {
      mirror.lock.lock();
      try {
        mirror.repackQueued.set(false);
        if (mirrors.get(repositoryId) != mirror) {
          return; // removed meanwhile
        }
        long started = System.nanoTime();
        int before = packs(mirror.dir);
        // Unreachable objects and replaced packs go at once (the mirror's config says so): no other
        // process writes to a mirror, and readers here find objects in the new pack.
        Git.wrap(mirror.repository).gc().call();
        log.debug("repacked the mirror of repository {}: {} packs into {} in {} ms", repositoryId, before,
            packs(mirror.dir), (System.nanoTime() - started) / 1_000_000);
      } catch (Exception e) {
        log.warn("cannot repack the mirror of repository {}: {}", repositoryId, e.toString());
      } finally {
        mirror.lock.unlock();
      }
    });
  }

  private Mirror mirror(String repositoryId) throws GitException {
    if (!isMirrorName(repositoryId)) {
      throw new GitException("repository id " + repositoryId + " cannot name a local mirror");
    }
    try {
      return mirrors.computeIfAbsent(repositoryId, id -> {
        Path dir = cacheDir.resolve(id + ".git");
        try {
          Repository repository = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
          if (!Files.exists(dir.resolve("HEAD"))) {
            Files.createDirectories(cacheDir);
            repository.create(true);
          }
          StoredConfig config = repository.getConfig();
          config.setString("gc", null, "pruneExpire", "now");
          config.setString("gc", null, "prunePackExpire", "now");
          // Bitmaps speed up serving clones; a mirror serves no one and would rebuild them at every repack.
          config.setBoolean("pack", null, "buildBitmaps", false);
          return new Mirror(dir, repository);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException | IllegalStateException e) {
      Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
      throw new GitException("cannot open local mirror " + cacheDir.resolve(repositoryId + ".git") + ": "
          + cause.getMessage(), e);
    }
  }

  private static boolean isMirrorName(String repositoryId) {
    return repositoryId != null && repositoryId.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  }

  /**
   * What a fetch that did not end cleanly leaves behind: lock files of refs and of the repository's
   * files, and temporary or kept packs of a transfer. Called with the mirror's write lock held, so
   * none of them belongs to a fetch still running.
   */
  static void removeLeftovers(Path dir) throws IOException {
    for (String name : List.of("packed-refs.lock", "config.lock", "HEAD.lock", "shallow.lock", "FETCH_HEAD.lock")) {
      Files.deleteIfExists(dir.resolve(name));
    }
    Path refs = dir.resolve("refs");
    if (Files.isDirectory(refs)) {
      try (Stream<Path> files = Files.walk(refs)) {
        for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".lock")).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
    Path packs = dir.resolve("objects").resolve("pack");
    if (Files.isDirectory(packs)) {
      try (Stream<Path> files = Files.list(packs)) {
        for (Path file : files.filter(f -> {
          String name = f.getFileName().toString();
          return name.startsWith("incoming_") || name.endsWith(".keep") || name.startsWith("gc_")
              || name.endsWith(".tmp");
        }).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static int packs(Path dir) {
    Path packs = dir.resolve("objects").resolve("pack");
    if (!Files.isDirectory(packs)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(packs)) {
      return (int) files.filter(f -> f.getFileName().toString().endsWith(".pack")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Reads against the mirror as the fetch left it. */
  private static final class MirrorSnapshot implements Snapshot {
    private final Repository repository;

    MirrorSnapshot(Repository repository) {
      this.repository = repository;
    }

    @Override
    public Commit latest(String branch) throws GitException {
      try {
        Ref ref = repository.exactRef(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
          throw new GitException("branch " + branch + " not found");
        }
        return parse(ref.getObjectId());
      } catch (IOException | RuntimeException e) {
        throw new GitException("cannot resolve branch " + branch + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Commit commit(String sha) throws GitException {
      if (sha == null || !sha.matches("[0-9a-fA-F]{4,40}")) {
        throw new GitException("'" + sha + "' is not a commit SHA");
      }
      try {
        ObjectId id = repository.resolve(sha + "^{commit}");
        if (id == null) {
          throw new GitException("commit " + sha + " not found");
        }
        return parse(id);
      } catch (MissingObjectException e) {
        throw new GitException("commit " + sha + " not found", e);
      } catch (IOException | RuntimeException e) {
        throw new GitException("cannot resolve commit " + sha + ": " + e.getMessage(), e);
      }
    }

    @Override
    public boolean isAncestor(String ancestor, String descendant) throws GitException {
      try (RevWalk walk = new RevWalk(repository)) {
        ObjectId a = ObjectId.fromString(ancestor);
        ObjectId d = ObjectId.fromString(descendant);
        if (!repository.getObjectDatabase().has(a) || !repository.getObjectDatabase().has(d)) {
          return false;
        }
        return walk.isMergedInto(walk.parseCommit(a), walk.parseCommit(d));
      } catch (IllegalArgumentException e) {
        return false;
      } catch (IOException e) {
        throw new GitException("cannot compare commits " + ancestor + " and " + descendant + ": " + e.getMessage(), e);
      }
    }

    @Override
    public java.util.OptionalInt commitsAhead(String base, String head, int limit) throws GitException {
      try (RevWalk walk = new RevWalk(repository)) {
        ObjectId b = ObjectId.fromString(base);
        ObjectId h = ObjectId.fromString(head);
        if (!repository.getObjectDatabase().has(b) || !repository.getObjectDatabase().has(h)) {
          return java.util.OptionalInt.empty();
        }
        walk.markStart(walk.parseCommit(h));
        walk.markUninteresting(walk.parseCommit(b));
        int count = 0;
        while (count < limit && walk.next() != null) {
          count++;
        }
        return java.util.OptionalInt.of(count);
      } catch (IllegalArgumentException e) {
        return java.util.OptionalInt.empty();
      } catch (IOException e) {
        throw new GitException("cannot count commits from " + base + " to " + head + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Map<String, Optional<byte[]>> readAll(Commit commit, Collection<String> paths) throws GitException {
      Map<String, Optional<byte[]>> files = new HashMap<>();
      Map<String, List<String>> asked = new HashMap<>();
      for (String path : paths) {
        String relative = relative(path);
        files.put(path, Optional.empty());
        if (!relative.isEmpty()) {
          asked.computeIfAbsent(relative, r -> new ArrayList<>()).add(path);
        }
      }
      if (asked.isEmpty()) {
        return files;
      }
      try (RevWalk walk = new RevWalk(repository); TreeWalk tree = new TreeWalk(repository)) {
        tree.addTree(walk.parseCommit(ObjectId.fromString(commit.sha())).getTree());
        tree.setRecursive(true);
        tree.setFilter(PathFilterGroup.createFromStrings(asked.keySet()));
        while (tree.next()) {
          List<String> names = asked.get(tree.getPathString());
          if (names != null && tree.getFileMode(0).getObjectType() == Constants.OBJ_BLOB) {
            Optional<byte[]> bytes = Optional.of(repository.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes());
            names.forEach(name -> files.put(name, bytes));
          }
        }
        return files;
      } catch (IOException | RuntimeException e) {
        throw new GitException("cannot read " + paths.size() + " files at " + commit.sha() + ": " + e.getMessage(), e);
      }
    }

    private static String relative(String path) {
      String relative = path.startsWith("./") ? path.substring(2) : path;
      while (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
      return relative;
    }

    @Override
    public Optional<byte[]> read(Commit commit, String path) throws GitException {
      String relative = relative(path);
      if (relative.isEmpty()) {
        return Optional.empty();
      }
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit.sha()));
        try (TreeWalk tree = TreeWalk.forPath(repository, relative, revCommit.getTree())) {
          if (tree == null || tree.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
            return Optional.empty();
          }
          return Optional.of(repository.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes());
        }
      } catch (IOException | RuntimeException e) {
        throw new GitException("cannot read " + path + " at " + commit.sha() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public SortedMap<String, Long> listFiles(Commit commit, String path, int limit) throws GitException {
      String relative = relative(path);
      while (relative.endsWith("/")) {
        relative = relative.substring(0, relative.length() - 1);
      }
      SortedMap<String, Long> files = new TreeMap<>();
      try (RevWalk walk = new RevWalk(repository); TreeWalk tree = new TreeWalk(repository)) {
        ObjectReader reader = tree.getObjectReader();
        tree.addTree(walk.parseCommit(ObjectId.fromString(commit.sha())).getTree());
        tree.setRecursive(true);
        if (!relative.isEmpty()) {
          // Matches the path itself and everything beneath it; other subtrees are never entered.
          tree.setFilter(PathFilter.create(relative));
        }
        while (tree.next() && files.size() <= limit) {
          int mode = tree.getRawMode(0);
          if (FileMode.REGULAR_FILE.equals(mode) || FileMode.EXECUTABLE_FILE.equals(mode)) {
            files.put(tree.getPathString(), reader.getObjectSize(tree.getObjectId(0), Constants.OBJ_BLOB));
          }
        }
        return files;
      } catch (IOException | RuntimeException e) {
        throw new GitException("cannot list " + path + " at " + commit.sha() + ": " + e.getMessage(), e);
      }
    }

    private Commit parse(ObjectId id) throws IOException, GitException {
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit commit = walk.parseCommit(id);
        return new Commit(commit.getId().name(), commit.getFullMessage());
      } catch (MissingObjectException e) {
        throw new GitException("commit " + id.name() + " not found", e);
      }
    }

    /** The mirror stays open for the next sync. */
    @Override
    public void close() {}
  }
}
