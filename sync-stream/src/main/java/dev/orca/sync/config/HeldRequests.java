package dev.orca.sync.config;

import dev.orca.schemas.avro.SyncRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sync requests waiting for the revision gate, in a state store so a restart keeps them.
 * Keys are {@code <deadline millis, zero-padded>/<syncId>}, so iteration order is arrival order
 * and the deadline travels with the key.
 */
public final class HeldRequests {

  /** A held request and the instant after which it proceeds with whatever config is there. */
  public record Held(String key, SyncRequested request, Instant deadline) {}

  private final KeyValueStore<String, SyncRequested> store;

  public HeldRequests(KeyValueStore<String, SyncRequested> store) {
    this.store = store;
  }

  public void hold(SyncRequested request, Instant deadline) {
    store.put(String.format("%019d/%s", deadline.toEpochMilli(), request.getSyncId()), request);
  }

  /** Every held request, oldest first. */
  public List<Held> all() {
    List<Held> held = new ArrayList<>();
    try (KeyValueIterator<String, SyncRequested> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, SyncRequested> entry = it.next();
        long deadline = Long.parseLong(entry.key.substring(0, entry.key.indexOf('/')));
        held.add(new Held(entry.key, entry.value, Instant.ofEpochMilli(deadline)));
      }
    }
    return held;
  }

  public void release(Held held) {
    store.delete(held.key());
  }
}
