package dev.orca.sync;

import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.sync.detect.LastSent;
import dev.orca.git.CommitSource;
import dev.orca.sync.git.RepositorySecrets;
import java.time.Clock;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The sync-stream topology: config.repositories and config.applications as global stores (every
 * instance sees all configuration), sync-requests through the {@link SyncProcessor}, and its
 * output routed by type to deploy-requests (DeployRequested) and status (everything else).
 */
final class SyncTopology {

  static final String REPOSITORIES = "repositories";
  static final String APPLICATIONS = "applications";
  static final String HELD_REQUESTS = "held-sync-requests";
  static final String LAST_SENT = "last-sent";
  static final String LAST_POLLS = "last-polls";

  private SyncTopology() {}

  static Topology build(Topics topics, CommitSource git, RepositorySecrets secrets, Clock clock,
      Duration revisionWait) {
    StreamsBuilder builder = new StreamsBuilder();
    Topic<String, RepositoryConfig> repositories = topics.configRepositories();
    Topic<String, ApplicationConfig> applications = topics.configApplications();
    builder.globalTable(repositories.name(), repositories.consumed().withName("config-repositories"),
        Materialized.<String, RepositoryConfig>as(Stores.inMemoryKeyValueStore(REPOSITORIES))
            .withKeySerde(repositories.keys()).withValueSerde(repositories.values()));
    builder.globalTable(applications.name(), applications.consumed().withName("config-applications"),
        Materialized.<String, ApplicationConfig>as(Stores.inMemoryKeyValueStore(APPLICATIONS))
            .withKeySerde(applications.keys()).withValueSerde(applications.values()));

    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_REQUESTS),
        Serdes.String(), topics.syncRequests().values()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LAST_SENT),
        Serdes.String(), LastSent.serde()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LAST_POLLS),
        Serdes.String(), Serdes.Long()));

    Topic<String, SpecificRecord> deployRequests = topics.deployRequests();
    Topic<String, SpecificRecord> status = topics.status();
    builder.stream(topics.syncRequests().name(), topics.syncRequests().consumed().withName("sync-requests"))
        .process(() -> new SyncProcessor(git, secrets, clock, revisionWait, topics.partitions()), Named.as("sync"),
            HELD_REQUESTS, LAST_SENT, LAST_POLLS)
        .split(Named.as("route-"))
        .branch((key, value) -> value instanceof DeployRequested, Branched.<String, SpecificRecord>withConsumer(
            deploys -> deploys.to(deployRequests.name(), deployRequests.produced().withName("to-deploy-requests")))
            .withName("deploy-requests"))
        .defaultBranch(Branched.<String, SpecificRecord>withConsumer(
            events -> events.to(status.name(), status.produced().withName("to-status")))
            .withName("status"));
    return builder.build();
  }
}
