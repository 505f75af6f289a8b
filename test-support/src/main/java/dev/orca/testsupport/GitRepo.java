package dev.orca.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

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

  /** Commits on main. */
  public String commit(String path, String content, String message) {
    return commit("main", path, content, message);
  }
}
