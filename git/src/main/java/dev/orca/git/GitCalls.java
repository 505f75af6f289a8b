package dev.orca.git;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Every call to a remote goes through here: on a thread of its own, bounded by the timeout as a
 * whole (JGit's own timeout bounds each network read only), with the remote's credentials, and
 * failing with a {@link GitException} whose message names the remote (redacted) and the root
 * cause, never a credential.
 */
final class GitCalls implements AutoCloseable {

  /** The user name GitHub documents for token auth; other hosts accept any name with a token. */
  static final String TOKEN_USER = "x-access-token";

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Duration timeout;
  private final ExecutorService threads;

  GitCalls(Duration timeout, String threadName) {
    this.timeout = timeout;
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, threadName + "-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  Duration timeout() {
    return timeout;
  }

  /** JGit's per-read timeout, in whole seconds. */
  int readTimeoutSeconds() {
    return (int) Math.max(1, timeout.toSeconds());
  }

  /**
   * Runs {@code call} against {@code remote}; a failure says "cannot {@code what} <url>: why"
   * ({@code what} for example "fetch" or "list the branches of").
   */
  <T> T bounded(GitRemote remote, String what, Callable<T> call) throws GitException {
    Future<T> future = threads.submit(call);
    String url = UrlRedaction.redact(remote.url());
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new GitException("cannot " + what + " " + url + ": timed out after " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      // The cause is left out: its messages may carry the URL unredacted, and the root one is in ours.
      throw new GitException("cannot " + what + " " + url + ": " + UrlRedaction.redact(rootMessage(e.getCause())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new GitException("interrupted: " + what + " " + url, e);
    }
  }

  /** The credentials of the remote's authentication method; null for none. */
  static CredentialsProvider credentials(GitRemote remote) throws GitException {
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
        throw new GitException("ssh authentication is not supported yet");
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

  static String rootMessage(Throwable error) {
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

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
