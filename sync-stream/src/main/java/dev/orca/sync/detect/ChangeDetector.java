package dev.orca.sync.detect;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides per application whether a resolved commit is sent on. Scheduled syncs are
 * edge-triggered by commit: re-sending a commit already sent could clear a previous deployment
 * failure without deploying again, so only a forced send (a manual deploy, or a configuration
 * change of that application) goes through at a seen commit.
 */
public final class ChangeDetector {

  /** Where entries are read and written: the state store, or a copy a sync works on off the stream thread. */
  private interface Entries {
    LastSent get(String applicationId);

    void put(String applicationId, LastSent sent);
  }

  private final Entries store;
  private final Map<String, LastSent> written;

  public ChangeDetector(KeyValueStore<String, LastSent> store) {
    this.store = new Entries() {
      @Override
      public LastSent get(String applicationId) {
        return store.get(applicationId);
      }

      @Override
      public void put(String applicationId, LastSent sent) {
        store.put(applicationId, sent);
      }
    };
    this.written = null;
  }

  private ChangeDetector(Map<String, LastSent> copy) {
    this.written = new LinkedHashMap<>();
    this.store = new Entries() {
      @Override
      public LastSent get(String applicationId) {
        return copy.get(applicationId);
      }

      @Override
      public void put(String applicationId, LastSent sent) {
        copy.put(applicationId, sent);
        written.put(applicationId, sent);
      }
    };
  }

  /**
   * A detector over a copy of these applications' entries, for a sync that runs on another thread:
   * it reads the copy and records what it sends ({@link #written}), for {@link #record} to keep on
   * the stream thread once the sync's output is emitted.
   */
  public ChangeDetector copyOf(Collection<String> applicationIds) {
    Map<String, LastSent> copy = new HashMap<>();
    for (String id : applicationIds) {
      LastSent sent = store.get(id);
      if (sent != null) {
        copy.put(id, sent);
      }
    }
    return new ChangeDetector(copy);
  }

  /** What a copy's sync sent, in order; empty for the detector over the store. */
  public Map<String, LastSent> written() {
    return written == null ? Map.of() : Map.copyOf(written);
  }

  /** Keeps what a copy's sync sent. */
  public void record(Map<String, LastSent> sent) {
    sent.forEach(store::put);
  }

  /** Forgets an application (deleted, or moved to another repository's task). */
  public void forget(String applicationId) {
    store.put(applicationId, null);
  }

  /** False when the commit was already sent for this application and the send is not forced. */
  public boolean isNew(String applicationId, String commit, boolean forced) {
    LastSent last = store.get(applicationId);
    return forced || last == null || !last.commit().equals(commit);
  }

  /** The commit last sent for the application; empty before its first. */
  public Optional<String> lastCommit(String applicationId) {
    return Optional.ofNullable(store.get(applicationId)).map(LastSent::commit);
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
