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
   * compose file's folder) beside it; waits for readiness until the deadline.
   */
  DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> files,
      Map<String, String> env, Instant deadline);

  /**
   * Takes the stack down and deletes its directory; removing what is already gone succeeds, and
   * a removal that did not finish by its deadline fails (what was done stays done).
   */
  RemoveOutcome remove(String applicationId, String project, Instant deadline);

  /**
   * Managed containers grouped by application id, including applications deployed here whose
   * containers vanished (an empty list); empty when the engine cannot be reached.
   */
  Optional<Map<String, List<Container>>> observe();

  @Override
  void close();
}
