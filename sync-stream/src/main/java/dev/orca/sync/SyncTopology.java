package dev.orca.sync;

import dev.orca.git.CommitSource;
import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.sync.config.ConfigIndex;
import dev.orca.sync.config.ConfigUpdater;
import dev.orca.sync.detect.LastSent;
import dev.orca.sync.git.RepositorySecrets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The sync-stream topology: config.repositories and config.applications as global stores (every
 * instance sees all configuration) kept by {@link ConfigUpdater}s that also keep the
 * {@link ConfigIndex}; sync-requests (as bytes, read by the processor so an unreadable record
 * becomes a dead letter) through the {@link SyncProcessor}; and its output routed by type to
 * deploy-requests (DeployRequested), dead-letters (a {@link SyncProcessor.DeadLetter}) and status
 * (everything else).
 */
final class SyncTopology {

  static final String REPOSITORIES = "repositories";
  static final String APPLICATIONS = "applications";
  static final String HELD_REQUESTS = "held-sync-requests";
  static final String LAST_SENT = "last-sent";
  static final String LAST_POLLS = "last-polls";
  static final String SYNC_QUEUE = "sync-queue";

  private SyncTopology() {}

  /** What the topology needs from its host besides the topics: git, secrets, a clock, the worker pool, and the index. */
  record Parts(CommitSource git, RepositorySecrets secrets, Clock clock, Duration revisionWait, Executor workers,
      ConfigIndex index, DeadLetterCount deadLetters) {}

  static Topology build(Topics topics, Parts parts) {
    StreamsBuilder builder = new StreamsBuilder();
    Topic<String, RepositoryConfig> repositories = topics.configRepositories();
    Topic<String, ApplicationConfig> applications = topics.configApplications();
    ConfigIndex index = parts.index();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REPOSITORIES), repositories.keys(),
            repositories.values()).withLoggingDisabled(),
        repositories.name(), repositories.consumed().withName("config-repositories"),
        () -> ConfigUpdater.repositories(REPOSITORIES, index));
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(APPLICATIONS), applications.keys(),
            applications.values()).withLoggingDisabled(),
        applications.name(), applications.consumed().withName("config-applications"),
        () -> ConfigUpdater.applications(APPLICATIONS, index));

    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_REQUESTS),
        Serdes.String(), topics.syncRequests().values()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LAST_SENT),
        Serdes.String(), LastSent.serde()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LAST_POLLS),
        Serdes.String(), Serdes.Long()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SYNC_QUEUE),
        Serdes.String(), topics.syncRequests().values()));

    Topic<String, SpecificRecord> deployRequests = topics.deployRequests();
    Topic<String, SpecificRecord> status = topics.status();
    Topic<byte[], byte[]> deadLetters = topics.deadLetters();
    builder.stream(topics.syncRequests().name(),
            Consumed.with(topics.syncRequests().keys(), Serdes.ByteArray()).withName("sync-requests"))
        .process(() -> new SyncProcessor(parts.git(), parts.secrets(), parts.clock(), parts.revisionWait(),
                topics.syncRequests(), topics.partitions(), index, parts.workers(), parts.deadLetters()),
            Named.as("sync"), HELD_REQUESTS, LAST_SENT, LAST_POLLS, SYNC_QUEUE)
        .split(Named.as("route-"))
        .branch((key, value) -> value instanceof DeployRequested, Branched.<String, Object>withConsumer(
            deploys -> deploys.mapValues(value -> (SpecificRecord) value, Named.as("as-deploy-request"))
                .to(deployRequests.name(), deployRequests.produced().withName("to-deploy-requests")))
            .withName("deploy-requests"))
        .branch((key, value) -> value instanceof SyncProcessor.DeadLetter, Branched.<String, Object>withConsumer(
            letters -> letters.map((key, value) -> KeyValue.pair(((SyncProcessor.DeadLetter) value).key(),
                    ((SyncProcessor.DeadLetter) value).value()), Named.as("as-dead-letter"))
                .to(deadLetters.name(), deadLetters.produced().withName("to-dead-letters")))
            .withName("dead-letters"))
        .defaultBranch(Branched.<String, Object>withConsumer(
            events -> events.mapValues(value -> (SpecificRecord) value, Named.as("as-status"))
                .to(status.name(), status.produced().withName("to-status")))
            .withName("status"));
    return builder.build();
  }
}
