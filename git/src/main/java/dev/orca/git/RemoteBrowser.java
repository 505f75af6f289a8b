package dev.orca.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a person setting up a repository wants to see of its remote, read the way a sync reads
 * it (same URL policy, credentials, timeout and errors): whether it answers, its branches and
 * its default branch (one {@code ls-remote}), and the files of a branch's head (a shallow fetch
 * of that one commit into a throw-away repository, deleted afterwards).
 */
public final class RemoteBrowser implements AutoCloseable {

  /** Trees larger than this are cut; the answer says so. */
  public static final int MAX_FILES = 20_000;

  private static final Logger log = LoggerFactory.getLogger(RemoteBrowser.class);

  private final Path workDir;
  private final EgressPolicy egress;
  private final SshHosts sshHosts;
  private final GitCalls calls;

  /** ssh host keys are pinned in {@code <workDir>/known_hosts}; no operator file is read. */
  public RemoteBrowser(Path workDir, boolean allowLocalGit, Duration timeout) {
    this(workDir, EgressPolicy.of(allowLocalGit, null), timeout);
  }

  /** Every remote it connects to is checked against {@code egress}, at connect time. */
  public RemoteBrowser(Path workDir, EgressPolicy egress, Duration timeout) {
    this(workDir, egress, timeout, SshHosts.pinnedIn(workDir.resolve("known_hosts")));
  }

  public RemoteBrowser(Path workDir, boolean allowLocalGit, Duration timeout, SshHosts sshHosts) {
    this(workDir, EgressPolicy.of(allowLocalGit, null), timeout, sshHosts);
  }

  public RemoteBrowser(Path workDir, EgressPolicy egress, Duration timeout, SshHosts sshHosts) {
    this.workDir = workDir;
    this.egress = egress;
    this.sshHosts = sshHosts;
    this.calls = new GitCalls(timeout, "git-browse");
  }

  /** A branch and the SHA of its head. */
  public record Branch(String name, String commit) {}

  /** The remote's branches by name, and the branch its HEAD points at when the server says. */
  public record Branches(List<Branch> branches, String defaultBranch) {}

  /** The files (paths relative to the repository root) at the head of a branch. */
  public record Tree(String branch, String commit, List<String> files, boolean truncated) {}

  public Branches branches(GitRemote remote) throws GitException {
    RemotePolicy.check(remote.url(), egress);
    Collection<Ref> refs;
    try (RemoteAccess access = RemoteAccess.of(remote, sshHosts, egress, calls.timeout())) {
      refs = calls.bounded(remote, "list the branches of", access, () -> access.apply(Git.lsRemoteRepository())
          .setRemote(remote.url())
          .setTimeout(calls.readTimeoutSeconds())
          .call());
    }
    List<Branch> branches = new ArrayList<>();
    String defaultBranch = null;
    for (Ref ref : refs) {
      if (ref.getName().startsWith(Constants.R_HEADS) && ref.getObjectId() != null) {
        branches.add(new Branch(ref.getName().substring(Constants.R_HEADS.length()), ref.getObjectId().name()));
      } else if (Constants.HEAD.equals(ref.getName()) && ref.isSymbolic()
          && ref.getTarget().getName().startsWith(Constants.R_HEADS)) {
        defaultBranch = ref.getTarget().getName().substring(Constants.R_HEADS.length());
      }
    }
    branches.sort(Comparator.comparing(Branch::name));
    return new Branches(List.copyOf(branches), defaultBranch);
  }

  public Tree tree(GitRemote remote, String branch) throws GitException {
    if (branch == null || branch.isBlank() || !Repository.isValidRefName(Constants.R_HEADS + branch)) {
      throw new GitException("'" + branch + "' is not a branch name");
    }
    // Asked first so that a missing branch says so, rather than as a failed fetch.
    if (branches(remote).branches().stream().noneMatch(b -> b.name().equals(branch))) {
      throw new GitException("branch " + branch + " not found");
    }
    Path dir;
    try {
      Files.createDirectories(workDir);
      dir = Files.createTempDirectory(workDir, "tree-");
    } catch (IOException e) {
      throw new GitException("cannot make a working directory under " + workDir + ": " + e.getMessage(), e);
    }
    try (RemoteAccess access = RemoteAccess.of(remote, sshHosts, egress, calls.timeout());
        Repository repository = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build()) {
      repository.create(true);
      String ref = Constants.R_HEADS + branch;
      calls.bounded(remote, "fetch branch " + branch + " of", access, () -> access.apply(Git.wrap(repository).fetch())
          .setRemote(remote.url())
          .setRefSpecs(new RefSpec("+" + ref + ":" + ref))
          .setDepth(1)
          .setTagOpt(TagOpt.NO_TAGS)
          .setTimeout(calls.readTimeoutSeconds())
          .call());
      ObjectId head = repository.resolve(ref);
      if (head == null) {
        throw new GitException("branch " + branch + " not found");
      }
      return files(repository, branch, head);
    } catch (IOException e) {
      throw new GitException("cannot read branch " + branch + ": " + e.getMessage(), e);
    } catch (org.eclipse.jgit.errors.RevisionSyntaxException e) {
      throw new GitException("'" + branch + "' is not a branch name");
    } finally {
      delete(dir);
    }
  }

  private static Tree files(Repository repository, String branch, ObjectId head) throws IOException {
    try (RevWalk walk = new RevWalk(repository); TreeWalk tree = new TreeWalk(repository)) {
      RevCommit commit = walk.parseCommit(head);
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      List<String> files = new ArrayList<>();
      boolean truncated = false;
      while (tree.next()) {
        if (files.size() == MAX_FILES) {
          truncated = true;
          break;
        }
        files.add(tree.getPathString());
      }
      return new Tree(branch, commit.getId().name(), List.copyOf(files), truncated);
    }
  }

  /**
   * Deletes a working repository. JGit may still be writing into it from a thread of its own (it
   * probes a new file system's timestamp resolution with a file there), so a deletion that finds
   * the directory not empty is retried.
   */
  private static void delete(Path dir) {
    try {
      FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
    } catch (IOException e) {
      log.warn("cannot delete the working repository {}: {}", dir, e.toString());
    }
  }


  @Override
  public void close() {
    calls.close();
  }
}
