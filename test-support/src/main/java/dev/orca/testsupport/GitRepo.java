package dev.orca.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** A repository served by {@link GitServer}; tests commit to it directly on disk. */
public final class GitRepo {

  private static final PersonIdent AUTHOR = new PersonIdent("Orca Test", "test@orca.invalid");

  private final File dir;
  private final String url;

  private GitRepo(File dir, String url) {
    this.dir = dir;
    this.url = url;
  }

  static GitRepo init(File dir, String url) {
    try (Git git = Git.init().setDirectory(dir).setInitialBranch("main").call()) {
      Files.writeString(dir.toPath().resolve("README.md"), "test repository\n");
      git.add().addFilepattern("README.md").call();
      git.commit().setMessage("initial commit").setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
      return new GitRepo(dir, url);
    } catch (GitAPIException | IOException e) {
      throw new IllegalStateException("cannot create repository " + dir, e);
    }
  }

  /** The working tree on disk: a commit made there with git itself is served like any other. */
  public Path directory() {
    return dir.toPath();
  }

  /** The smart-HTTP URL clients use. */
  public String url() {
    return url;
  }

  /** Writes a file on a branch (created from main when missing) and commits it; returns the SHA. */
  public synchronized String commit(String branch, String path, String content, String message) {
    try (Git git = Git.open(dir)) {
      boolean exists = git.getRepository().findRef("refs/heads/" + branch) != null;
      git.checkout().setName(branch).setCreateBranch(!exists).call();
      Path file = dir.toPath().resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      git.add().addFilepattern(path).call();
      RevCommit commit = git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR)
          .setSign(false).setAllowEmpty(true).call();
      return commit.getId().name();
    } catch (GitAPIException e) {
      throw new IllegalStateException("cannot commit " + path, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds {@code commits} commits to main at once, each changing {@code history.txt}, written
   * straight into the object database (thousands per second), then checks main out again and
   * packs the repository. For repositories with a long history.
   */
  public synchronized void history(int commits) {
    try (Git git = Git.open(dir); ObjectInserter inserter = git.getRepository().newObjectInserter();
         RevWalk walk = new RevWalk(git.getRepository())) {
      Repository repository = git.getRepository();
      git.checkout().setName("main").call();
      ObjectId parent = repository.resolve("refs/heads/main");
      java.util.TreeMap<String, ObjectId> files = new java.util.TreeMap<>();
      java.util.Map<String, FileMode> modes = new java.util.HashMap<>();
      try (TreeWalk tree = new TreeWalk(repository)) {
        tree.addTree(walk.parseCommit(parent).getTree());
        while (tree.next()) {
          // Git orders a tree's entries by name, a subtree's name as if it ended in '/'.
          String key = tree.getNameString() + (tree.isSubtree() ? "/" : "");
          files.put(key, tree.getObjectId(0));
          modes.put(key, tree.getFileMode(0));
        }
      }
      for (int i = 1; i <= commits; i++) {
        files.put("history.txt", inserter.insert(Constants.OBJ_BLOB,
            ("change " + i + " of " + commits + "\n").getBytes(StandardCharsets.UTF_8)));
        modes.put("history.txt", FileMode.REGULAR_FILE);
        TreeFormatter tree = new TreeFormatter();
        files.forEach((name, id) -> tree.append(name.endsWith("/") ? name.substring(0, name.length() - 1) : name,
            modes.get(name), id));
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(inserter.insert(tree));
        commit.setParentId(parent);
        commit.setAuthor(AUTHOR);
        commit.setCommitter(AUTHOR);
        commit.setMessage("history " + i + "\n");
        parent = inserter.insert(commit);
      }
      inserter.flush();
      RefUpdate update = repository.updateRef("refs/heads/main");
      update.setNewObjectId(parent);
      update.setForceUpdate(true);
      update.update();
      git.reset().setMode(ResetCommand.ResetType.HARD).setRef("refs/heads/main").call();
      // Packed, as a git server keeps its repositories: a server walking thousands of loose
      // objects would make every fetch of this repository slow, whoever fetches it.
      git.gc().call();
    } catch (GitAPIException e) {
      throw new IllegalStateException("cannot write history", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes several files on main and commits them as one commit; returns the SHA. */
  public synchronized String commitFiles(java.util.Map<String, String> files, String message) {
    try (Git git = Git.open(dir)) {
      git.checkout().setName("main").call();
      var add = git.add();
      for (var file : files.entrySet()) {
        Path path = dir.toPath().resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        add.addFilepattern(file.getKey());
      }
      add.call();
      return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false)
          .setAllowEmpty(true).call().getId().name();
    } catch (GitAPIException e) {
      throw new IllegalStateException("cannot commit " + files.size() + " files", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Commits on main. */
  public String commit(String path, String content, String message) {
    return commit("main", path, content, message);
  }
}
