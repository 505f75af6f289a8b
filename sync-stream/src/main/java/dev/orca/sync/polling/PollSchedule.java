package dev.orca.sync.polling;

import dev.orca.schemas.avro.RepositoryConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each polled repository was last polled (a state store, so restarts do not poll everything
 * at once). A repository is polled by the one task whose sync-requests partition its id maps to,
 * exactly as a SyncRequested keyed by that id would be partitioned.
 */
public final class PollSchedule {

  public static final String POLLING = "polling";

  private final KeyValueStore<String, Long> lastPolls;
  private final int partition;
  private final int partitions;

  public PollSchedule(KeyValueStore<String, Long> lastPolls, int partition, int partitions) {
    this.lastPolls = lastPolls;
    this.partition = partition;
    this.partitions = partitions;
  }

  /** The partition the default partitioner gives a String key among {@code partitions}. */
  public static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The repositories this task must poll now, each recorded as polled at {@code now}. */
  public List<RepositoryConfig> due(List<RepositoryConfig> repositories, Instant now) {
    List<RepositoryConfig> due = new ArrayList<>();
    Set<String> polled = new HashSet<>();
    for (RepositoryConfig repository : repositories) {
      if (!POLLING.equals(repository.getSyncType()) || partitionOf(repository.getId(), partitions) != partition) {
        continue;
      }
      polled.add(repository.getId());
      Long last = lastPolls.get(repository.getId());
      Duration interval = Duration.ofSeconds(Math.max(1, repository.getPollingIntervalSeconds()));
      if (last == null || !Instant.ofEpochMilli(last).plus(interval).isAfter(now)) {
        lastPolls.put(repository.getId(), now.toEpochMilli());
        due.add(repository);
      }
    }
    forgetOthers(polled);
    return due;
  }

  /** Repositories deleted or no longer polled lose their entry. */
  private void forgetOthers(Set<String> polled) {
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = lastPolls.all()) {
      it.forEachRemaining(entry -> {
        if (!polled.contains(entry.key)) {
          stale.add(entry.key);
        }
      });
    }
    stale.forEach(lastPolls::delete);
  }
}
