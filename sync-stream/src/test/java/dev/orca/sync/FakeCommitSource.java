package dev.orca.sync;

import dev.orca.git.Commit;
import dev.orca.git.CommitSource;
import dev.orca.git.GitException;
import dev.orca.git.GitRemote;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** An in-memory repository behind the {@link CommitSource} seam, counting what the topology asks. */
final class FakeCommitSource implements CommitSource {

  private final Map<String, Commit> heads = new HashMap<>();
  private final Map<String, Commit> commits = new HashMap<>();
  private final Map<String, Map<String, String>> trees = new HashMap<>();
  private final Map<String, String> parents = new HashMap<>();
  private int next = 1;
  private GitException fetchFailure;
  int fetches;
  GitRemote lastRemote;
  int branchResolutions;

  /** Commits {@code path = content} on a branch (files of the branch's previous head carry over). */
  Commit commit(String branch, String path, String content, String message) {
    Commit previous = heads.get(branch);
    Map<String, String> tree = new HashMap<>(previous == null ? Map.of() : trees.get(previous.sha()));
    tree.put(path, content);
    Commit commit = new Commit(String.format("%040x", next++), message);
    heads.put(branch, commit);
    commits.put(commit.sha(), commit);
    trees.put(commit.sha(), tree);
    if (previous != null) {
      parents.put(commit.sha(), previous.sha());
    }
    return commit;
  }

  /** The next fetch throws this (a bug in the git layer, say), once. */
  RuntimeException unexpected;

  void failFetches(String message) {
    fetchFailure = new GitException(message);
  }

  @Override
  public Snapshot fetch(GitRemote remote) throws GitException {
    fetches++;
    lastRemote = remote;
    if (fetchFailure != null) {
      throw fetchFailure;
    }
    if (unexpected != null) {
      RuntimeException error = unexpected;
      unexpected = null;
      throw error;
    }
    return new Snapshot() {
      @Override
      public Commit latest(String branch) throws GitException {
        branchResolutions++;
        Commit head = heads.get(branch);
        if (head == null) {
          throw new GitException("branch " + branch + " not found");
        }
        return head;
      }

      @Override
      public Commit commit(String sha) throws GitException {
        Commit commit = commits.get(sha);
        if (commit == null) {
          throw new GitException("commit " + sha + " not found");
        }
        return commit;
      }

      @Override
      public boolean isAncestor(String ancestor, String descendant) {
        for (String sha = descendant; sha != null; sha = parents.get(sha)) {
          if (sha.equals(ancestor)) {
            return commits.containsKey(ancestor);
          }
        }
        return false;
      }

      @Override
      public java.util.OptionalInt commitsAhead(String base, String head, int limit) {
        if (!commits.containsKey(base) || !commits.containsKey(head)) {
          return java.util.OptionalInt.empty();
        }
        int count = 0;
        for (String sha = head; sha != null && !sha.equals(base) && count < limit; sha = parents.get(sha)) {
          count++;
        }
        return java.util.OptionalInt.of(count);
      }

      @Override
      public Optional<byte[]> read(Commit commit, String path) {
        String content = trees.get(commit.sha()).get(path);
        return Optional.ofNullable(content).map(c -> c.getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public SortedMap<String, Long> listFiles(Commit commit, String path, int limit) {
        SortedMap<String, Long> files = new TreeMap<>();
        trees.get(commit.sha()).forEach((file, content) -> {
          if (path.isEmpty() || file.equals(path) || file.startsWith(path + "/")) {
            files.put(file, (long) content.getBytes(StandardCharsets.UTF_8).length);
          }
        });
        return files;
      }

      @Override
      public void close() {}
    };
  }
}
