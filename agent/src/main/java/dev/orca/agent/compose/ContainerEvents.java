package dev.orca.agent.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's event stream for containers Orca manages and says which application one
 * of them changed for (started, died, stopped, was killed or removed, restarted, changed health).
 * The stream is reopened when it ends (the engine restarted, the response timed out while the
 * host was quiet) from the moment the last one was opened, so nothing is missed in between; a
 * reopened stream also reports {@code null}, "anything may have changed".
 */
final class ContainerEvents implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);
  private static final Set<String> CHANGES = Set.of("start", "die", "stop", "kill", "oom", "restart", "destroy",
      "pause", "unpause", "health_status");
  private static final Duration RETRY = Duration.ofSeconds(2);

  private final DockerClient client;
  private final Consumer<String> changed;
  private final Thread thread;
  private volatile boolean open = true;
  private volatile Closeable current;

  ContainerEvents(DockerClient client, Consumer<String> changed) {
    this.client = client;
    this.changed = changed;
    this.thread = new Thread(this::follow, "orca-agent-docker-events");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void follow() {
    Instant since = Instant.now();
    boolean reopened = false;
    while (open) {
      Instant opened = Instant.now();
      try {
        ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Event event) {
            onEvent(event);
          }
        };
        current = callback;
        client.eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withLabelFilter(Map.of(Names.MANAGED_LABEL, Names.MANAGED_VALUE))
            .withSince(String.valueOf(since.getEpochSecond()))
            .exec(callback);
        if (reopened) {
          changed.accept(null);
        }
        callback.awaitCompletion();
        since = opened;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (open) {
          log.info("Docker event stream ended, reopening it in {} s: {}", RETRY.toSeconds(), e.toString());
        }
      }
      reopened = true;
      if (open) {
        try {
          Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void onEvent(Event event) {
    log.debug("Docker event {} {} {}", event.getType(), event.getAction(), event.getId());
    String action = event.getAction() == null ? "" : event.getAction();
    int colon = action.indexOf(':');
    if (!CHANGES.contains(colon < 0 ? action : action.substring(0, colon))) {
      return;
    }
    Map<String, String> attributes = event.getActor() == null ? null : event.getActor().getAttributes();
    String application = attributes == null ? null : attributes.get(Names.APPLICATION_LABEL);
    if (application != null) {
      changed.accept(application);
    }
  }

  @Override
  public void close() {
    open = false;
    Closeable stream = current;
    if (stream != null) {
      try {
        stream.close();
      } catch (java.io.IOException e) {
        log.debug("closing the event stream", e);
      }
    }
    thread.interrupt();
  }
}
