package dev.orca.git;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Where commits and compose files come from. A sync fetches a repository once with
 * {@link #fetch} and then resolves every branch and reads every file against that snapshot,
 * so the network is touched once per repository per sync, never per application.
 */
public interface CommitSource {

  /** Brings the repository's branches up to date; fails when the remote cannot be reached. */
  Snapshot fetch(GitRemote remote) throws GitException;

  /** The repository was deleted: whatever is kept locally for it goes (in the background). */
  default void forget(String repositoryId) {}

  /** The repository as of one fetch; closing it releases local resources only. */
  interface Snapshot extends AutoCloseable {

    /** The latest commit of a branch. */
    Commit latest(String branch) throws GitException;

    /** A commit named by its SHA (a static commit carried by a webhook). */
    Commit commit(String sha) throws GitException;

    /**
     * Whether {@code descendant}'s history contains {@code ancestor} (a commit contains itself);
     * false when either commit is unknown here.
     */
    boolean isAncestor(String ancestor, String descendant) throws GitException;

    /**
     * How many commits {@code head}'s history has that {@code base}'s lacks (a branch's distance
     * ahead of a pinned commit), counting at most {@code limit}; empty when either is unknown here.
     */
    default java.util.OptionalInt commitsAhead(String base, String head, int limit) throws GitException {
      return java.util.OptionalInt.empty();
    }

    /** A file's bytes at a commit, or empty when there is no file at that path. */
    Optional<byte[]> read(Commit commit, String path) throws GitException;

    /**
     * Many files at one commit, keyed by the paths as given, each as {@link #read} would answer;
     * one pass over the commit's tree however many there are.
     */
    default Map<String, Optional<byte[]>> readAll(Commit commit, Collection<String> paths) throws GitException {
      Map<String, Optional<byte[]>> files = new HashMap<>();
      for (String path : paths) {
        files.put(path, read(commit, path));
      }
      return files;
    }

    /**
     * The regular files at or under {@code path} at a commit with their sizes in bytes, keyed by
     * repository path (no leading {@code ./} or {@code /}), in path order: the file itself when
     * {@code path} names one, every file beneath it when it names a directory ({@code ""} is the
     * whole tree), nothing when nothing is there. Symbolic links and submodules are not files
     * and are left out. At most {@code limit + 1} entries, so a caller bounding them can tell
     * that there are more than {@code limit} without holding a huge tree.
     */
    SortedMap<String, Long> listFiles(Commit commit, String path, int limit) throws GitException;

    @Override
    void close();
  }
}
