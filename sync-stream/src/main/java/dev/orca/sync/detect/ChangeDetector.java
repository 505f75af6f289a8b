package dev.orca.sync.detect;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides per application whether a resolved commit is sent on. Scheduled syncs are
 * edge-triggered by commit: re-sending a commit already sent could clear a previous deployment
 * failure without deploying again, so only a forced send (a manual deploy, or a configuration
 * change of that application) goes through at a seen commit.
 */
public final class ChangeDetector {

  private final KeyValueStore<String, LastSent> store;

  public ChangeDetector(KeyValueStore<String, LastSent> store) {
    this.store = store;
  }

  /** False when the commit was already sent for this application and the send is not forced. */
  public boolean isNew(String applicationId, String commit, boolean forced) {
    LastSent last = store.get(applicationId);
    return forced || last == null || !last.commit().equals(commit);
  }

  /** The commit last sent for the application; empty before its first. */
  public java.util.Optional<String> lastCommit(String applicationId) {
    return java.util.Optional.ofNullable(store.get(applicationId)).map(LastSent::commit);
  }

  /**
   * Whether what the agent runs would change: the digest, the agent or the compose path differs
   * from the last send (an entry without agent and path counts as changed); a manual deploy
   * always counts as changed.
   */
  public boolean composeChanged(String applicationId, String digest, String agentId, String path, boolean manual) {
    LastSent last = store.get(applicationId);
    return manual || last == null || !last.digest().equals(digest)
        || last.agentId() == null || !last.agentId().equals(agentId)
        || last.path() == null || !last.path().equals(path);
  }

  public void sent(String applicationId, String commit, String digest, String agentId, String path) {
    store.put(applicationId, new LastSent(commit, digest, agentId, path));
  }
}
