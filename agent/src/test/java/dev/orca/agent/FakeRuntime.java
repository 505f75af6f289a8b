package dev.orca.agent;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.Container;
import dev.orca.agent.compose.DeployOutcome;
import dev.orca.agent.compose.EngineStatus;
import dev.orca.agent.compose.RemoveOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A runtime that records what it was asked and answers what the test set. Tests that check results
 * set a distinctive {@link #deployOutcome} or {@link #removeOutcome} and assert it is passed through.
 */
final class FakeRuntime implements ComposeRuntime {

  record Call(String kind, String applicationId, String project, String compose, Map<String, byte[]> files) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, List<Container>> observed = new ConcurrentHashMap<>();
  /** The .env text of each application's last deploy ("" for none). */
  final Map<String, String> dotEnvs = new ConcurrentHashMap<>();
  volatile EngineStatus status = new EngineStatus(true, "27.0.0", "docker-compose", "1.29.2", null);
  /** What deploy answers while the engine can deploy; null for a ready stack of one container. */
  volatile DeployOutcome deployOutcome;
  volatile RemoveOutcome removeOutcome = RemoveOutcome.removed();
  /** A deploy of an application listed here waits for its latch (once), as a stack still starting would. */
  final Map<String, java.util.concurrent.CountDownLatch> holds = new ConcurrentHashMap<>();

  @Override
  public EngineStatus status() {
    return status;
  }

  @Override
  public DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> files,
      String dotEnv, Instant deadline, dev.orca.agent.compose.DeployOptions options) {
    calls.add(new Call("deploy", applicationId, project, compose, files));
    dotEnvs.put(applicationId, dotEnv == null ? "" : dotEnv);
    java.util.concurrent.CountDownLatch hold = holds.remove(applicationId);
    if (hold != null) {
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return DeployOutcome.transportFailure("interrupted");
      }
    }
    if (!status.canDeploy()) {
      return DeployOutcome.transportFailure(status.message());
    }
    DeployOutcome answer = deployOutcome;
    return answer != null ? answer
        : DeployOutcome.ready(List.of(new Container(project + "-web-1", "web", "running", null, "img")));
  }

  /** Each {@link #stopWaiting} call, as "application: reason"; a held deploy keeps waiting for its latch. */
  final List<String> stopWaitingCalls = new CopyOnWriteArrayList<>();

  /** Each {@link #clearStopWaiting} call's application. */
  final List<String> clearStopWaitingCalls = new CopyOnWriteArrayList<>();

  @Override
  public void stopWaiting(String applicationId, String reason) {
    stopWaitingCalls.add(applicationId + ": " + reason);
  }

  @Override
  public void clearStopWaiting(String applicationId) {
    clearStopWaitingCalls.add(applicationId);
  }

  @Override
  public RemoveOutcome remove(String applicationId, String project, Instant deadline) {
    calls.add(new Call("remove", applicationId, project, null, Map.of()));
    return removeOutcome;
  }

  @Override
  public Optional<Map<String, List<Container>>> observe() {
    return status.dockerAvailable() ? Optional.of(Map.copyOf(observed)) : Optional.empty();
  }

  List<String> deployedComposes() {
    return calls.stream().filter(c -> c.kind().equals("deploy")).map(Call::compose).toList();
  }

  @Override
  public void close() {}
}
