package dev.orca.sync.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@link CommitSource} over a local bare mirror per repository ({@code <cacheDir>/<repositoryId>.git}):
 * one fetch of {@code refs/heads/*} per sync, bounded by the timeout, then every read is local.
 * Authentication over HTTP(S): {@code none}, {@code token} (user name or {@code x-access-token}
 * with the token as password) and {@code basic}; {@code ssh} is not supported yet.
 */
public final class JGitCommitSource implements CommitSource, AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();
  /** The user name GitHub documents for token auth; other hosts accept any name with a token. */
  static final String TOKEN_USER = "x-access-token";

  private final Path cacheDir;
  private final boolean allowLocalGit;
  private final Duration timeout;
  private final ExecutorService fetches = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "sync-git-fetch-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  public JGitCommitSource(Path cacheDir, boolean allowLocalGit, Duration timeout) {
    this.cacheDir = cacheDir;
    this.allowLocalGit = allowLocalGit;
    this.timeout = timeout;
  }

  @Override
  public Snapshot fetch(GitRemote remote) throws GitException {
    RemotePolicy.check(remote.url(), allowLocalGit);
    CredentialsProvider credentials = credentials(remote);
    Repository mirror = openMirror(remote.repositoryId());
    Future<?> fetch = fetches.submit(() -> {
      Git.wrap(mirror).fetch()
          .setRemote(remote.url())
          .setCredentialsProvider(credentials)
          .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
          .setRemoveDeletedRefs(true)
          .setTagOpt(TagOpt.NO_TAGS)
          .setTimeout((int) Math.max(1, timeout.toSeconds()))
          .call();
      return null;
    });
    try {
      // JGit's own timeout bounds each network read; this bounds the whole fetch.
      fetch.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new MirrorSnapshot(mirror);
    } catch (TimeoutException e) {
      fetch.cancel(true);
      mirror.close();
      throw new GitException("fetching " + remote.url() + " timed out after " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      mirror.close();
      // The cause is left out: its messages carry the URL unredacted, and the root one is in ours.
      throw new GitException("cannot fetch " + remote.url() + ": " + rootMessage(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fetch.cancel(true);
      mirror.close();
      throw new GitException("interrupted while fetching " + remote.url(), e);
    }
  }

  @Override
  public void close() {
    fetches.shutdownNow();
  }

  /** The credentials of the remote's authentication method; null for none. */
  private static CredentialsProvider credentials(GitRemote remote) throws GitException {
    String method = remote.authMethod() == null ? "none" : remote.authMethod();
    boolean hasUser = remote.username() != null && !remote.username().isBlank();
    switch (method) {
      case "none":
        return null;
      case "token":
        requireSecret(remote, "a token");
        return new UsernamePasswordCredentialsProvider(hasUser ? remote.username() : TOKEN_USER, remote.secret());
      case "basic":
        if (!hasUser) {
          throw new GitException("repository " + remote.repositoryId() + " uses basic authentication but has no username");
        }
        requireSecret(remote, "a password");
        return new UsernamePasswordCredentialsProvider(remote.username(), remote.secret());
      case "ssh":
        throw new GitException("ssh authentication is not supported yet by sync-stream");
      default:
        throw new GitException("unknown authentication method " + method);
    }
  }

  private static void requireSecret(GitRemote remote, String what) throws GitException {
    if (remote.secret() == null || remote.secret().isEmpty()) {
      throw new GitException("repository " + remote.repositoryId() + " uses " + remote.authMethod()
          + " authentication but has no secret (" + what + ")");
    }
  }

  private Repository openMirror(String repositoryId) throws GitException {
    if (repositoryId == null || !repositoryId.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
      throw new GitException("repository id " + repositoryId + " cannot name a local mirror");
    }
    Path dir = cacheDir.resolve(repositoryId + ".git");
    try {
      Repository repository = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
      if (!Files.exists(dir.resolve("HEAD"))) {
        Files.createDirectories(cacheDir);
        repository.create(true);
      }
      return repository;
    } catch (IOException | IllegalStateException e) {
      throw new GitException("cannot open local mirror " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    String message = t.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        message = message == null ? t.getMessage() : message + " (" + t.getMessage() + ")";
        break;
      }
    }
    return message == null ? error.getClass().getSimpleName() : message;
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
    public Optional<byte[]> read(Commit commit, String path) throws GitException {
      String relative = path.startsWith("./") ? path.substring(2) : path;
      while (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
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

    private Commit parse(ObjectId id) throws IOException, GitException {
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit commit = walk.parseCommit(id);
        return new Commit(commit.getId().name(), commit.getFullMessage());
      } catch (MissingObjectException e) {
        throw new GitException("commit " + id.name() + " not found", e);
      }
    }

    @Override
    public void close() {
      repository.close();
    }
  }
}
