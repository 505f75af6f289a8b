package dev.orca.sync.config;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import java.util.List;
import java.util.Optional;

/** The configuration a sync reads: the live {@link ConfigView}, or a copy taken for a sync that runs off the stream thread. */
public interface ConfigLookup {

  Optional<RepositoryConfig> repository(String id);

  /** The repository's applications, ordered by id. */
  List<ApplicationConfig> applicationsOf(String repositoryId);

  Optional<ApplicationConfig> application(String id);

  /** A fixed copy: one repository, its applications and, when asked for, one more application by id. */
  static ConfigLookup copyOf(ConfigLookup live, String repositoryId, String applicationId) {
    Optional<RepositoryConfig> repository = live.repository(repositoryId);
    List<ApplicationConfig> applications = List.copyOf(live.applicationsOf(repositoryId));
    Optional<ApplicationConfig> named = live.application(applicationId);
    return new ConfigLookup() {
      @Override
      public Optional<RepositoryConfig> repository(String id) {
        return repositoryId.equals(id) ? repository : Optional.empty();
      }

      @Override
      public List<ApplicationConfig> applicationsOf(String id) {
        return repositoryId.equals(id) ? applications : List.of();
      }

      @Override
      public Optional<ApplicationConfig> application(String id) {
        if (id == null) {
          return Optional.empty();
        }
        if (named.isPresent() && named.get().getId().equals(id)) {
          return named;
        }
        return applications.stream().filter(a -> a.getId().equals(id)).findFirst();
      }
    };
  }
}
