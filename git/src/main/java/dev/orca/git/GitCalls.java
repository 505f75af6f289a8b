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

/**
 * Every call to a remote goes through here: on a thread of its own, bounded by the timeout as a
 * whole (JGit's own timeout bounds each network read and the ssh connect only; an ssh
 * authentication still waiting is interrupted), with the remote's {@link RemoteAccess}, and
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
   * ({@code what} for example "fetch" or "list the branches of"), {@code access} saying why when
   * it knows better than the exception (ssh: a refused host key or key).
   */
  <T> T bounded(GitRemote remote, String what, RemoteAccess access, Callable<T> call) throws GitException {
    Future<T> future = threads.submit(call);
    String url = UrlRedaction.redact(remote.url());
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new GitException("cannot " + what + " " + url + ": timed out after " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      // The cause is left out: its messages may carry the URL unredacted, and the root one is in ours.
      String why = access.explain(e.getCause());
      if (why == null) {
        why = rootMessage(e.getCause());
      }
      throw new GitException("cannot " + what + " " + url + ": " + UrlRedaction.redact(why));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new GitException("interrupted: " + what + " " + url, e);
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
