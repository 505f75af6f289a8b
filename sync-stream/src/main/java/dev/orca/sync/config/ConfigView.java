package dev.orca.sync.config;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Repositories and applications as the global stores over config.repositories and
 * config.applications hold them. Finding a repository's applications scans every application:
 * fine for hundreds, a known limit beyond that.
 */
public final class ConfigView {

  private final ReadOnlyKeyValueStore<String, ValueAndTimestamp<RepositoryConfig>> repositories;
  private final ReadOnlyKeyValueStore<String, ValueAndTimestamp<ApplicationConfig>> applications;

  public ConfigView(ReadOnlyKeyValueStore<String, ValueAndTimestamp<RepositoryConfig>> repositories,
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<ApplicationConfig>> applications) {
    this.repositories = repositories;
    this.applications = applications;
  }

  public Optional<RepositoryConfig> repository(String id) {
    ValueAndTimestamp<RepositoryConfig> found = id == null ? null : repositories.get(id);
    return Optional.ofNullable(found == null ? null : found.value());
  }

  public List<RepositoryConfig> repositories() {
    List<RepositoryConfig> all = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<RepositoryConfig>> it = repositories.all()) {
      it.forEachRemaining(entry -> {
        if (entry.value != null && entry.value.value() != null) {
          all.add(entry.value.value());
        }
      });
    }
    return all;
  }

  /** The repository's applications, ordered by id. */
  public List<ApplicationConfig> applicationsOf(String repositoryId) {
    List<ApplicationConfig> found = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<ApplicationConfig>> it = applications.all()) {
      while (it.hasNext()) {
        KeyValue<String, ValueAndTimestamp<ApplicationConfig>> entry = it.next();
        ApplicationConfig application = entry.value == null ? null : entry.value.value();
        if (application != null && repositoryId.equals(application.getRepositoryId())) {
          found.add(application);
        }
      }
    }
    found.sort(Comparator.comparing(ApplicationConfig::getId));
    return found;
  }

  public Optional<ApplicationConfig> application(String id) {
    ValueAndTimestamp<ApplicationConfig> found = id == null ? null : applications.get(id);
    return Optional.ofNullable(found == null ? null : found.value());
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
