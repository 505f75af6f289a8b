package dev.orca.sync.config;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The global thread's processor of a config topic: writes each record into its global store (a
 * tombstone deletes) and tells the {@link ConfigIndex} what changed, with the value it replaced.
 * On start it rebuilds the index from the whole store, so it holds whether or not Kafka Streams
 * replays the topic through this processor on restore.
 */
public final class ConfigUpdater<V> implements Processor<String, V, Void, Void> {

  /** Told of each change on the global thread: the id, the value replaced (null if none) and the new one (null: deleted). */
  private interface Listener<V> {
    void changed(String id, V before, V after);
  }

  private final String storeName;
  private final Listener<V> listener;
  private final Consumer<List<V>> rebuild;
  private final boolean tellFirst;
  private KeyValueStore<String, V> store;

  private ConfigUpdater(String storeName, Listener<V> listener, Consumer<List<V>> rebuild, boolean tellFirst) {
    this.storeName = storeName;
    this.listener = listener;
    this.rebuild = rebuild;
    this.tellFirst = tellFirst;
  }

  /** The store first, then the tasks are told: a task reacting to the change reads the new value. */
  public static ConfigUpdater<RepositoryConfig> repositories(String storeName, ConfigIndex index) {
    return new ConfigUpdater<>(storeName, index::repositoryChanged, all -> {}, false);
  }

  /**
   * The index first, then the store: the revision gate reads applications from the store, so a
   * sync that passed it for a new application finds it through the index too.
   */
  public static ConfigUpdater<ApplicationConfig> applications(String storeName, ConfigIndex index) {
    return new ConfigUpdater<>(storeName, index::applicationChanged, index::rebuildApplications, true);
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    List<V> all = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.all()) {
      it.forEachRemaining(entry -> {
        if (entry.value != null) {
          all.add(entry.value);
        }
      });
    }
    rebuild.accept(all);
  }

  @Override
  public void process(Record<String, V> record) {
    if (record.key() == null) {
      return;
    }
    V before = store.get(record.key());
    if (tellFirst) {
      listener.changed(record.key(), before, record.value());
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
    if (!tellFirst) {
      listener.changed(record.key(), before, record.value());
    }
  }
}
