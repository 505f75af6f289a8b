package dev.orca.agent.images;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.events.ResultWriter;
import dev.orca.agent.events.PublishException;
import dev.orca.schemas.avro.ImageUpdateFound;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image polling: at each tick, every deployed application that asks for it and whose interval has
 * passed since its last check has its images pulled and compared with what its containers run
 * ({@link ComposeRuntime#imageUpdates}); when a tag names a newer image, one
 * {@link ImageUpdateFound} goes to the hub, which answers with an image-update deployment. The
 * same finding for the same deployment is reported once (a failed update is not retried in a
 * loop); a new deployment of the application reports it again. The first check of an application
 * comes one interval after the agent first sees it, as its deployment has just pulled.
 */
public final class ImageChecker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ImageChecker.class);
  /** How long one application's pull may take. */
  static final Duration PULL_DEADLINE = Duration.ofMinutes(5);

  /** What the checker needs of an application: its last successful deployment and check interval. */
  public record Subject(String deploymentId, String project, Duration interval) {}

  private final ComposeRuntime runtime;
  private final Function<String, Optional<Subject>> subjects;
  private final ResultWriter events;
  private final Clock clock;
  private final Map<String, Instant> due = new ConcurrentHashMap<>();
  private final Map<String, String> reported = new ConcurrentHashMap<>();

  /**
   * {@code subjects} answers an application's subject when it has a successful last deployment,
   * asks for image checks and has no command queued or running.
   */
  public ImageChecker(ComposeRuntime runtime, Function<String, Optional<Subject>> subjects, ResultWriter events,
      Clock clock) {
    this.runtime = runtime;
    this.subjects = subjects;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      Optional<Map<String, List<dev.orca.agent.compose.Container>>> observed = runtime.observe();
      if (observed.isEmpty()) {
        return;
      }
      due.keySet().retainAll(observed.get().keySet());
      reported.keySet().retainAll(observed.get().keySet());
      for (String applicationId : observed.get().keySet()) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        check(applicationId);
      }
    } catch (RuntimeException e) {
      log.warn("Image check failed: {}", e.toString());
    }
  }

  private void check(String applicationId) {
    Optional<Subject> subject = subjects.apply(applicationId);
    Instant now = clock.instant();
    if (subject.isEmpty() || subject.get().interval() == null) {
      due.remove(applicationId);
      return;
    }
    Instant next = due.computeIfAbsent(applicationId, id -> now.plus(subject.get().interval()));
    if (now.isBefore(next)) {
      return;
    }
    due.put(applicationId, now.plus(subject.get().interval()));
    Optional<List<String>> updates = runtime.imageUpdates(applicationId, subject.get().project(),
        now.plus(PULL_DEADLINE));
    if (updates.isEmpty()) {
      return;
    }
    if (updates.get().isEmpty()) {
      // Up to date (say, after an update deployed by other means): a later move of the same tag
      // to the same image is news again.
      reported.remove(applicationId);
      return;
    }
    // The pull took a while: a deployment that started or finished meanwhile makes the finding
    // stale (it pulls, or has pulled, for itself).
    Optional<Subject> still = subjects.apply(applicationId);
    if (still.isEmpty() || !still.get().deploymentId().equals(subject.get().deploymentId())) {
      log.debug("Image check of {} outdated by a deployment meanwhile", applicationId);
      return;
    }
    String finding = subject.get().deploymentId() + "\n" + String.join("\n", updates.get());
    if (finding.equals(reported.put(applicationId, finding))) {
      return;
    }
    log.info("New images for {} (deployment {}): {}", applicationId, subject.get().deploymentId(), updates.get());
    try {
      events.publish(applicationId, ImageUpdateFound.newBuilder()
          .setApplicationId(applicationId)
          .setDeploymentId(subject.get().deploymentId())
          .setServices(updates.get())
          .setAt(clock.instant())
          .build());
    } catch (PublishException e) {
      reported.remove(applicationId, finding); // said again at the next check
      log.warn("Cannot report new images for {}: {}", applicationId, e.getMessage());
    }
  }
}
