package dev.orca.agent.health;

import dev.orca.agent.compose.Drift;
import java.util.Map;
import java.util.Optional;

/** Where the health monitor finds what to measure drift against, and whom it tells about drift. */
public interface Baselines {

  /**
   * Per service, what the application's last successful deployment left running; empty when it
   * has none, its last deployment failed, or a command for it is queued or running.
   */
  Optional<Map<String, Drift.Expected>> baseline(String applicationId);

  /**
   * Whether the application's last deployment failed (and no command for it is queued or
   * running): its health is then {@link dev.orca.agent.compose.Health#afterFailure}.
   */
  default boolean lastDeploymentFailed(String applicationId) {
    return false;
  }

  /** The application's running stack no longer matches its baseline. */
  void drifted(String applicationId, String what);

  /** No baselines: no drift is ever reported. */
  Baselines NONE = new Baselines() {
    @Override
    public Optional<Map<String, Drift.Expected>> baseline(String applicationId) {
      return Optional.empty();
    }

    @Override
    public void drifted(String applicationId, String what) {}
  };
}
