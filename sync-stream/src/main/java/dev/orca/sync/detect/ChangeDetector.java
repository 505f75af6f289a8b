package dev.orca.sync.detect;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides per application whether a resolved commit is sent on. Scheduled syncs are
 * edge-triggered by commit: re-sending a commit already sent could clear a previous deployment
 * failure without deploying again, so only a manual deploy goes through at a seen commit.
 */
public final class ChangeDetector {

  private final KeyValueStore<String, LastSent> store;

  public ChangeDetector(KeyValueStore<String, LastSent> store) {
    this.store = store;
  }

  /** False when the commit was already sent for this application and this is not a manual deploy. */
  public boolean isNew(String applicationId, String commit, boolean manual) {
    LastSent last = store.get(applicationId);
    return manual || last == null || !last.commit().equals(commit);
  }

  /** Whether the digest differs from the one last sent; a manual deploy always counts as changed. */
  public boolean composeChanged(String applicationId, String digest, boolean manual) {
    LastSent last = store.get(applicationId);
    return manual || last == null || !last.digest().equals(digest);
  }

  public void sent(String applicationId, String commit, String digest) {
    store.put(applicationId, new LastSent(commit, digest));
  }
}
