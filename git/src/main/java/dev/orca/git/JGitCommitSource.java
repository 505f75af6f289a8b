package dev.orca.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@link CommitSource} over a local bare mirror per repository ({@code <cacheDir>/<repositoryId>.git}):
 * one fetch of {@code refs/heads/*} per sync, bounded by the timeout, then every read is local.
 * Authentication as {@link GitCalls#credentials}.
 */
public final class JGitCommitSource implements CommitSource, AutoCloseable {

  private final Path cacheDir;
  private final boolean allowLocalGit;
  private final GitCalls calls;

  public JGitCommitSource(Path cacheDir, boolean allowLocalGit, Duration timeout) {
    this.cacheDir = cacheDir;
    this.allowLocalGit = allowLocalGit;
    this.calls = new GitCalls(timeout, "sync-git-fetch");
  }

  @Override
  public Snapshot fetch(GitRemote remote) throws GitException {
    RemotePolicy.check(remote.url(), allowLocalGit);
    CredentialsProvider credentials = GitCalls.credentials(remote);
    Repository mirror = openMirror(remote.repositoryId());
    try {
      calls.bounded(remote, "fetch", () -> Git.wrap(mirror).fetch()
          .setRemote(remote.url())
          .setCredentialsProvider(credentials)
          .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
          .setRemoveDeletedRefs(true)
          .setTagOpt(TagOpt.NO_TAGS)
          .setTimeout(calls.readTimeoutSeconds())
          .call());
      return new MirrorSnapshot(mirror);
    } catch (GitException | RuntimeException e) {
      mirror.close();
      throw e;
    }
  }

  @Override
  public void close() {
    calls.close();
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
