package dev.orca.agent.compose;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent needs from a Docker host: apply a compose file, tear a stack down, observe the
 * containers. The command loop, health monitor and heartbeat see only this seam, so they can be
 * tested against a fake while the real implementation is tested against a real daemon.
 */
public interface ComposeRuntime extends AutoCloseable {

  /**
   * Checks the engine and the compose CLI now (not cached; the compose version may be a few
   * minutes old), for heartbeats and deploys.
   */
  EngineStatus status();

  /**
   * Brings the application's stack to {@code compose}, with {@code files} (by path relative to the
   * compose file's folder) and {@code dotEnv} (the decrypted lines of its {@code .env},
   * {@code NAME=value} each; null or empty for none) beside it; waits for readiness until the
   * deadline.
   */
  default DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> files,
      String dotEnv, Instant deadline) {
    return deploy(applicationId, project, compose, files, dotEnv, deadline, DeployOptions.NONE);
  }

  /**
   * As above, except the rules the options allow are not checked, and readiness is waited for at
   * most the options' readiness timeout after compose up (never past the deadline).
   */
  DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> files,
      String dotEnv, Instant deadline, DeployOptions options);

  /**
   * Brings the application's stack back to the files already in its directory (the last
   * deployment's), recreating what was removed, stopped or changed by hand; waits for readiness
   * until the deadline. A runtime that cannot answers a transport failure.
   */
  default DeployOutcome reapply(String applicationId, String project, Instant deadline) {
    return DeployOutcome.transportFailure("this runtime cannot re-apply a deployment");
  }

  /**
   * Pulls the images of the application's last deployment and answers, per service whose image
   * reference now names another image than its container runs, a line saying so ("web:
   * registry/app:1 1a2b… → 3c4d…"); an empty list when every container runs what its tag names,
   * empty when the runtime cannot tell (no engine, nothing deployed). The default cannot.
   */
  default Optional<List<String>> imageUpdates(String applicationId, String project, Instant deadline) {
    return Optional.empty();
  }

  /**
   * Takes the stack down and deletes its directory; removing what is already gone succeeds, and
   * a removal that did not finish by its deadline fails (what was done stays done).
   */
  RemoveOutcome remove(String applicationId, String project, Instant deadline);

  /**
   * Ends the application's readiness wait in progress or about to start, because a command that
   * makes it moot is queued behind it (a removal, a newer generation): the deploy or re-apply then
   * fails at once saying {@code reason} instead of waiting out its deadline. The reason holds until
   * {@link #clearStopWaiting}, which the agent calls before each deploy or re-apply it starts. The
   * default waits on.
   */
  default void stopWaiting(String applicationId, String reason) {}

  /** Forgets a reason given to {@link #stopWaiting} for a wait that has ended. */
  default void clearStopWaiting(String applicationId) {}

  /**
   * Managed containers grouped by application id, including applications deployed here whose
   * containers vanished (an empty list); empty when the engine cannot be reached.
   */
  Optional<Map<String, List<Container>>> observe();

  /**
   * Calls {@code changed} with an application id as soon as one of its containers starts, stops,
   * dies, restarts or changes health (null: anything may have changed), until the returned handle
   * is closed. The default watches nothing: observations then come only from {@link #observe}.
   */
  default AutoCloseable watch(java.util.function.Consumer<String> changed) {
    return () -> {};
  }

  @Override
  void close();
}
