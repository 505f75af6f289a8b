package dev.orca.agent.command;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.DeployOptions;
import dev.orca.agent.compose.DeployOutcome;
import dev.orca.agent.compose.Drift;
import dev.orca.agent.compose.Names;
import dev.orca.agent.compose.RemoveOutcome;
import dev.orca.agent.events.EventPublisher;
import dev.orca.agent.events.ResultWriter;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.avro.FailureKind;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.schemas.avro.PullImagesCommand;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveResult;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one command and writes its result synchronously. Deploys older than the last applied
 * generation, and repeats of the last completed deployment, are skipped without a result;
 * commands picked up after their deadline are answered as failures without touching the host, and
 * so are deploys whose environment this agent cannot open (a compose failure: the command itself
 * cannot work here).
 */
final class CommandHandler {

  private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
  /** How long a self-heal waits for the stack to be ready. */
  static final java.time.Duration HEAL_DEADLINE = java.time.Duration.ofMinutes(2);

  private final ComposeRuntime runtime;
  private final DeploymentStateStore state;
  private final ResultWriter events;
  private final Clock clock;
  private final EnvironmentKey environmentKey;

  CommandHandler(ComposeRuntime runtime, DeploymentStateStore state, ResultWriter events, Clock clock,
      EnvironmentKey environmentKey) {
    this.runtime = runtime;
    this.state = state;
    this.events = events;
    this.clock = clock;
    this.environmentKey = environmentKey;
  }

  void handle(Object command) {
    if (command instanceof Heal heal) {
      heal(heal.applicationId());
    } else if (command instanceof DeployCommand deploy) {
      deploy(deploy);
    } else if (command instanceof RemoveCommand remove) {
      remove(remove);
    } else if (command instanceof PullImagesCommand pull) {
      // No hub sends it: an image update is a DeployCommand with pullImages, a deployment in the history.
      log.warn("Ignoring PullImagesCommand {} for {}: image updates come as deployments", pull.getRequestId(),
          pull.getApplicationId());
    } else {
      log.warn("Ignoring unexpected command {}", command.getClass().getSimpleName());
    }
  }

  private void deploy(DeployCommand cmd) {
    String app = cmd.getApplicationId();
    Optional<String> refusal = Names.refusal(app, cmd.getProject());
    if (refusal.isPresent()) {
      log.warn("Refusing deployment {}: {}", cmd.getDeploymentId(), refusal.get());
      publish(cmd, DeployOutcome.composeFailure(refusal.get(), HealthStatus.UNKNOWN, List.of()));
      return;
    }
    Optional<DeploymentStateStore.Applied> last = state.read(app);
    if (last.isPresent() && cmd.getGeneration() < last.get().generation()) {
      log.info("Skipping deployment {} of {}: generation {} is older than the applied {}",
          cmd.getDeploymentId(), app, cmd.getGeneration(), last.get().generation());
      return;
    }
    if (last.isPresent() && cmd.getDeploymentId().equals(last.get().deploymentId())) {
      log.info("Skipping deployment {} of {}: already completed", cmd.getDeploymentId(), app);
      return;
    }
    if (clock.instant().isAfter(cmd.getDeadline())) {
      publish(cmd, DeployOutcome.transportFailure("command arrived after its deadline"));
      return;
    }
    log.info("Deploying {} (deployment {}, generation {}, project {})",
        app, cmd.getDeploymentId(), cmd.getGeneration(), cmd.getProject());
    DeployOutcome outcome;
    try {
      String dotEnv = environmentKey.open(app, cmd.getSettings());
      outcome = guarded(() -> runtime.deploy(app, cmd.getProject(), cmd.getCompose(), files(cmd), dotEnv,
          cmd.getDeadline(), options(cmd)), e -> DeployOutcome.transportFailure("agent error: " + e.getMessage()));
    } catch (EnvironmentKey.UnreadableEnvironmentException e) {
      // Nothing is written or run: a stack without the variables it was configured with is not this deployment.
      outcome = DeployOutcome.composeFailure("cannot decrypt the application's environment: " + e.getMessage(),
          HealthStatus.UNKNOWN, List.of());
    }
    publish(cmd, outcome);
    if (outcome.failureKind() != FailureKind.TRANSPORT) {
      boolean selfHeal = cmd.getSettings() != null && cmd.getSettings().getSelfHeal();
      Integer imagePollSeconds = cmd.getSettings() == null ? null : cmd.getSettings().getImagePollIntervalSeconds();
      // An image update that could pull nothing left the stack as the last deployment did: its
      // baseline still holds, so self-heal and image checks go on (a registry outage must not end them).
      var baseline = outcome.success() ? Drift.baseline(outcome.containers())
          : outcome.stackUnchanged() && last.isPresent() ? last.get().baseline() : null;
      state.write(app, new DeploymentStateStore.Applied(cmd.getDeploymentId(), cmd.getGeneration(), cmd.getProject(),
          selfHeal, baseline, imagePollSeconds));
    }
    log.info("Deployment {} of {} ended: {}", cmd.getDeploymentId(), app,
        outcome.success() ? "ready" : outcome.failureKind() + " " + outcome.error());
  }

  /** Ends the application's readiness wait in progress, if any (see {@link ComposeRuntime#stopWaiting}). */
  void stopWaiting(String applicationId, String reason) {
    runtime.stopWaiting(applicationId, reason);
  }

  /** Forgets an earlier reason to stop waiting, before a deploy or re-apply starts. */
  void clearStopWaiting(String applicationId) {
    runtime.clearStopWaiting(applicationId);
  }

  /** Re-applies the application's last successful deployment, if it still asks for self-heal. */
  record Heal(String applicationId) {}

  private void heal(String app) {
    Optional<DeploymentStateStore.Applied> last = state.read(app);
    if (last.isEmpty() || last.get().baseline() == null || !last.get().selfHeal() || last.get().project() == null) {
      return;
    }
    DeploymentStateStore.Applied applied = last.get();
    log.info("Self-heal of {}: re-applying deployment {}", app, applied.deploymentId());
    DeployOutcome outcome = guarded(() -> runtime.reapply(app, applied.project(), clock.instant().plus(HEAL_DEADLINE)),
        e -> DeployOutcome.transportFailure("agent error: " + e.getMessage()));
    if (outcome.success()) {
      state.write(app, new DeploymentStateStore.Applied(applied.deploymentId(), applied.generation(), applied.project(),
          true, Drift.baseline(outcome.containers()), applied.imagePollSeconds()));
      log.info("Self-heal of {} done: deployment {} runs again", app, applied.deploymentId());
    } else {
      log.warn("Self-heal of {} failed: {}", app, outcome.error());
    }
  }

  private static DeployOptions options(DeployCommand cmd) {
    DeploySettings settings = cmd.getSettings();
    if (settings == null) {
      return cmd.getPullImages() ? DeployOptions.NONE.pullingImages(false) : DeployOptions.NONE;
    }
    Integer timeout = settings.getReadinessTimeoutSeconds();
    DeployOptions options = new DeployOptions(new java.util.HashSet<>(settings.getAllowedPolicyRules()),
        timeout == null ? null : java.time.Duration.ofSeconds(timeout));
    return cmd.getPullImages() ? options.pullingImages(settings.getRemoveSupersededImages()) : options;
  }

  private static Map<String, byte[]> files(DeployCommand cmd) {
    Map<String, byte[]> files = new HashMap<>();
    cmd.getFiles().forEach((path, content) -> {
      byte[] bytes = new byte[content.remaining()];
      content.duplicate().get(bytes);
      files.put(path, bytes);
    });
    return files;
  }

  private void remove(RemoveCommand cmd) {
    String app = cmd.getApplicationId();
    Optional<String> refusal = Names.refusal(app, cmd.getProject());
    RemoveOutcome outcome;
    if (refusal.isPresent()) {
      outcome = RemoveOutcome.failed(refusal.get());
    } else if (clock.instant().isAfter(cmd.getDeadline())) {
      outcome = RemoveOutcome.failed("removal arrived after its deadline");
    } else {
      log.info("Removing {} (request {}, project {})", app, cmd.getRequestId(), cmd.getProject());
      outcome = guarded(() -> runtime.remove(app, cmd.getProject(), cmd.getDeadline()),
          e -> RemoveOutcome.failed("agent error: " + e.getMessage()));
    }
    checkNotStopping();
    events.publish(app, RemoveResult.newBuilder().setRequestId(cmd.getRequestId()).setApplicationId(app)
        .setSuccess(outcome.success()).setError(outcome.error()).setAt(clock.instant()).build());
    if (outcome.success()) {
      state.clear(app);
    }
    log.info("Removal {} of {} ended: {}", cmd.getRequestId(), app, outcome.success() ? "removed" : outcome.error());
  }

  private void publish(DeployCommand cmd, DeployOutcome outcome) {
    checkNotStopping();
    events.publish(cmd.getApplicationId(), DeployResult.newBuilder()
        .setDeploymentId(cmd.getDeploymentId())
        .setApplicationId(cmd.getApplicationId())
        .setGeneration(cmd.getGeneration())
        .setSuccess(outcome.success())
        .setFailureKind(outcome.failureKind())
        .setError(outcome.error())
        .setHealth(outcome.health())
        .setContainers(EventPublisher.containerStates(outcome.containers()))
        .setAt(clock.instant())
        .build());
  }

  /** An interrupted runtime call was cut short by close(); its outcome must not be reported. */
  private static void checkNotStopping() {
    if (Thread.currentThread().isInterrupted()) {
      throw new AgentStoppingException();
    }
  }

  private static <T> T guarded(Supplier<T> call, Function<RuntimeException, T> onError) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      checkNotStopping();
      log.error("Runtime failed", e);
      return onError.apply(e);
    }
  }
}
