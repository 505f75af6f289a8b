package dev.orca.sync.config;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.sync.polling.PollSchedule;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * What the global config stores cannot answer by key, kept beside them by the global thread
 * ({@link ConfigUpdater}) and read by the stream tasks: the ids of each repository's applications
 * (so a sync finds them in O(its applications), never by scanning every application), and the
 * changes each task must react to (a repository to poll or forget, an application whose state
 * must go), queued per sync-requests partition for the task that owns it.
 *
 * <p>Only the global thread writes; tasks read concurrently. A task registers its partition
 * before it reads the stores once at start-up, so no change falls between the two.
 */
public final class ConfigIndex {

  /** A configuration change a task acts on. {@code deleted} is true for a tombstone. */
  public sealed interface Change permits RepositoryChanged, ApplicationGone {}

  /** A repository was created, changed or deleted. */
  public record RepositoryChanged(String repositoryId, boolean deleted) implements Change {}

  /** An application was deleted or moved out of {@code repositoryId}: its sync state there goes. */
  public record ApplicationGone(String applicationId, String repositoryId) implements Change {}

  private final int partitions;
  private final Map<String, Set<String>> applicationsByRepository = new ConcurrentHashMap<>();
  private final Map<Integer, Queue<Change>> listeners = new ConcurrentHashMap<>();
  private final Consumer<String> repositoryDeleted;

  /**
   * @param partitions the sync-requests partitions (a repository's changes go to the task of its partition)
   * @param repositoryDeleted told, on the global thread, the id of every deleted repository (so each
   *     instance drops its own mirror of it)
   */
  public ConfigIndex(int partitions, Consumer<String> repositoryDeleted) {
    this.partitions = partitions;
    this.repositoryDeleted = repositoryDeleted;
  }

  /** Ids of the repository's applications, as of now; empty when it has none. */
  public Set<String> applicationIdsOf(String repositoryId) {
    Set<String> ids = applicationsByRepository.get(repositoryId);
    return ids == null ? Set.of() : Set.copyOf(ids);
  }

  /** Starts queueing the changes of a partition for its task; returns the queue it drains. */
  public Queue<Change> register(int partition) {
    Queue<Change> queue = new ConcurrentLinkedQueue<>();
    listeners.put(partition, queue);
    return queue;
  }

  /** Stops queueing for the partition (its task closed, here or for a move to another instance). */
  public void unregister(int partition, Queue<Change> queue) {
    listeners.remove(partition, queue);
  }

  void repositoryChanged(String id, RepositoryConfig before, RepositoryConfig after) {
    tell(id, new RepositoryChanged(id, after == null));
    if (after == null && before != null) {
      repositoryDeleted.accept(id);
    }
  }

  void applicationChanged(String id, ApplicationConfig before, ApplicationConfig after) {
    String from = before == null ? null : before.getRepositoryId();
    String to = after == null ? null : after.getRepositoryId();
    if (from != null && !from.equals(to)) {
      remove(from, id);
      tell(from, new ApplicationGone(id, from));
    }
    if (to != null) {
      applicationsByRepository.computeIfAbsent(to, r -> ConcurrentHashMap.newKeySet()).add(id);
    }
  }

  /** Forgets everything and rebuilds from a full read of the stores (the global thread's start). */
  void rebuildApplications(List<ApplicationConfig> applications) {
    applicationsByRepository.clear();
    for (ApplicationConfig application : applications) {
      if (application.getRepositoryId() != null) {
        applicationsByRepository.computeIfAbsent(application.getRepositoryId(), r -> ConcurrentHashMap.newKeySet())
            .add(application.getId());
      }
    }
  }

  private void remove(String repositoryId, String applicationId) {
    applicationsByRepository.computeIfPresent(repositoryId, (r, ids) -> {
      ids.remove(applicationId);
      return ids.isEmpty() ? null : ids;
    });
  }

  private void tell(String repositoryId, Change change) {
    Queue<Change> queue = listeners.get(PollSchedule.partitionOf(repositoryId, partitions));
    if (queue != null) {
      queue.add(change);
    }
  }
}
