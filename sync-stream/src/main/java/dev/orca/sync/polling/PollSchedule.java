package dev.orca.sync.polling;

import dev.orca.schemas.avro.RepositoryConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each polled repository is due, in a queue ordered by due time, so a tick costs
 * O(due repositories), not a pass over all of them. When each was last polled is kept in a state
 * store, so restarts do not poll everything at once. A repository is polled by the one task whose
 * sync-requests partition its id maps to, exactly as a SyncRequested keyed by that id would be
 * partitioned. The schedule follows configuration changes as {@link #changed} reports them.
 */
public final class PollSchedule {

  public static final String POLLING = "polling";

  private record Due(String repositoryId, long at) {}

  private final KeyValueStore<String, Long> lastPolls;
  private final int partition;
  private final int partitions;
  private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparingLong(Due::at));
  /** The current entry of each scheduled repository; an entry in the queue that is not this one is stale. */
  private final Map<String, Due> scheduled = new HashMap<>();

  public PollSchedule(KeyValueStore<String, Long> lastPolls, int partition, int partitions) {
    this.lastPolls = lastPolls;
    this.partition = partition;
    this.partitions = partitions;
  }

  /** The partition the default partitioner gives a String key among {@code partitions}. */
  public static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The task's start (a full read, once): schedules this partition's polled repositories; forgets others' polls. */
  public void load(List<RepositoryConfig> repositories, Instant now) {
    for (RepositoryConfig repository : repositories) {
      changed(repository.getId(), Optional.of(repository), now);
    }
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = lastPolls.all()) {
      it.forEachRemaining(entry -> {
        if (!scheduled.containsKey(entry.key)) {
          stale.add(entry.key);
        }
      });
    }
    stale.forEach(lastPolls::delete);
  }

  /** A repository was created, changed or deleted: it is (re)scheduled, or forgotten when no longer polled here. */
  public void changed(String repositoryId, Optional<RepositoryConfig> config, Instant now) {
    if (config.isEmpty() || !polledHere(config.get())) {
      if (scheduled.remove(repositoryId) != null || lastPolls.get(repositoryId) != null) {
        lastPolls.delete(repositoryId);
      }
      return;
    }
    Long last = lastPolls.get(repositoryId);
    // Never polled: due now. Otherwise one interval (perhaps a new one) after the last poll.
    schedule(repositoryId, last == null ? now.toEpochMilli() : last + interval(config.get()).toMillis());
  }

  /**
   * The repositories due now, each recorded as polled at {@code now} and scheduled again one
   * interval later. A due entry whose repository is gone or no longer polled is dropped.
   */
  public List<RepositoryConfig> due(Function<String, Optional<RepositoryConfig>> repositories, Instant now) {
    List<RepositoryConfig> due = new ArrayList<>();
    long millis = now.toEpochMilli();
    while (!queue.isEmpty() && queue.peek().at() <= millis) {
      Due entry = queue.poll();
      if (scheduled.get(entry.repositoryId()) != entry) {
        continue;
      }
      Optional<RepositoryConfig> config = repositories.apply(entry.repositoryId());
      if (config.isEmpty() || !polledHere(config.get())) {
        changed(entry.repositoryId(), Optional.empty(), now);
        continue;
      }
      lastPolls.put(entry.repositoryId(), millis);
      schedule(entry.repositoryId(), millis + interval(config.get()).toMillis());
      due.add(config.get());
    }
    return due;
  }

  /** How many repositories this task polls. */
  public int size() {
    return scheduled.size();
  }

  private void schedule(String repositoryId, long at) {
    Due entry = new Due(repositoryId, at);
    scheduled.put(repositoryId, entry);
    queue.add(entry);
    if (queue.size() > 2 * scheduled.size() + 64) {
      // Rescheduling leaves stale entries behind; drop them before they outnumber the live ones.
      queue.removeIf(e -> scheduled.get(e.repositoryId()) != e);
    }
  }

  private boolean polledHere(RepositoryConfig repository) {
    return POLLING.equals(repository.getSyncType()) && partitionOf(repository.getId(), partitions) == partition;
  }

  private static Duration interval(RepositoryConfig repository) {
    return Duration.ofSeconds(Math.max(1, repository.getPollingIntervalSeconds()));
  }
}
