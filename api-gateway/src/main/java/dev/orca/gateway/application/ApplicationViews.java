package dev.orca.gateway.application;

import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Read access to applications for other features (SSE). */
@Component
public class ApplicationViews {

  private final ApplicationStore store;

  ApplicationViews(ApplicationStore store) {
    this.store = store;
  }

  /**
   * What an image webhook needs of an application: its image webhook secret (encrypted; null when
   * none is set), its compose file (null before its first sync) and whether it is being removed.
   * {@link #toString()} prints neither the secret nor the compose file (which may hold credentials).
   */
  public record ImageWebhookTarget(UUID id, String secretEncrypted, String composeFile, boolean beingRemoved,
      boolean pinned) {

    @Override
    public String toString() {
      return "ImageWebhookTarget[id=" + id + ", secret=" + (secretEncrypted == null ? "none" : "set")
          + ", composeFile=" + (composeFile == null ? "none" : composeFile.length() + " characters")
          + ", beingRemoved=" + beingRemoved + "]";
    }
  }

  /** The application's {@link ImageWebhookTarget}, or empty. */
  public Mono<ImageWebhookTarget> imageWebhookTarget(UUID id) {
    return store.imageWebhookTarget(id);
  }

  /** The application as GET returns it, or empty. */
  public Mono<ApplicationJson> find(UUID id) {
    return store.find(id).map(ApplicationStore.Row::json);
  }
}
