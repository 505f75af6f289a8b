package dev.orca.sync.config;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Repositories and applications as the global stores over config.repositories and
 * config.applications hold them. A repository's applications are found through the
 * {@link ConfigIndex}: O(its applications), whatever the number of applications in all.
 */
public final class ConfigView implements ConfigLookup {

  private final ReadOnlyKeyValueStore<String, RepositoryConfig> repositories;
  private final ReadOnlyKeyValueStore<String, ApplicationConfig> applications;
  private final ConfigIndex index;

  public ConfigView(ReadOnlyKeyValueStore<String, RepositoryConfig> repositories,
      ReadOnlyKeyValueStore<String, ApplicationConfig> applications, ConfigIndex index) {
    this.repositories = repositories;
    this.applications = applications;
    this.index = index;
  }

  @Override
  public Optional<RepositoryConfig> repository(String id) {
    return Optional.ofNullable(id == null ? null : repositories.get(id));
  }

  /** Every repository: a full read, for a task's start only. */
  public List<RepositoryConfig> repositories() {
    List<RepositoryConfig> all = new ArrayList<>();
    try (KeyValueIterator<String, RepositoryConfig> it = repositories.all()) {
      it.forEachRemaining(entry -> {
        if (entry.value != null) {
          all.add(entry.value);
        }
      });
    }
    return all;
  }

  @Override
  public List<ApplicationConfig> applicationsOf(String repositoryId) {
    List<ApplicationConfig> found = new ArrayList<>();
    for (String id : index.applicationIdsOf(repositoryId)) {
      ApplicationConfig application = applications.get(id);
      // The index may run a record ahead of or behind this read; the store has the last word.
      if (application != null && repositoryId.equals(application.getRepositoryId())) {
        found.add(application);
      }
    }
    found.sort(Comparator.comparing(ApplicationConfig::getId));
    return found;
  }

  @Override
  public Optional<ApplicationConfig> application(String id) {
    return Optional.ofNullable(id == null ? null : applications.get(id));
  }

  /**
   * The revision gate: true once the repository is known and the configuration the requester
   * had seen ({@code minRevision}) has arrived. A request naming an application waits for that
   * application's own revision, since the outbox may publish another application's newer
   * revision first; otherwise the newest revision of the repository and its applications counts.
   */
  public boolean hasReached(String repositoryId, String applicationId, long minRevision) {
    Optional<RepositoryConfig> repository = repository(repositoryId);
    if (repository.isEmpty()) {
      return false;
    }
    if (applicationId != null) {
      return application(applicationId).map(a -> a.getRevision() >= minRevision).orElse(false);
    }
    long newest = repository.get().getRevision();
    if (newest >= minRevision) {
      return true;
    }
    for (ApplicationConfig application : applicationsOf(repositoryId)) {
      newest = Math.max(newest, application.getRevision());
    }
    return newest >= minRevision;
  }
}
