package dev.orca.sync;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.config.ConfigView;
import dev.orca.sync.config.HeldRequests;
import dev.orca.sync.detect.ChangeDetector;
import dev.orca.sync.detect.LastSent;
import dev.orca.git.CommitSource;
import dev.orca.sync.git.RepositorySecrets;
import dev.orca.sync.polling.PollSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every trigger enters through {@link #accept}: a SyncRequested from sync-requests, a held one
 * whose gate opened or whose wait ran out, and a poll. Two wall-clock punctuators retry held
 * requests (every 200 ms) and poll due repositories (every second); each stops after a time
 * budget so one punctuation cannot keep a transaction open for long.
 */
final class SyncProcessor implements Processor<String, SyncRequested, String, SpecificRecord> {

  static final Duration RETRY_INTERVAL = Duration.ofMillis(200);
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
  private static final long PUNCTUATION_BUDGET_NANOS = Duration.ofSeconds(5).toNanos();
  private static final Logger log = LoggerFactory.getLogger(SyncProcessor.class);

  private final CommitSource git;
  private final RepositorySecrets secrets;
  private final Clock clock;
  private final Duration revisionWait;
  private final int syncRequestPartitions;

  private ProcessorContext<String, SpecificRecord> context;
  private ConfigView config;
  private HeldRequests held;
  private PollSchedule polls;
  private SyncRun sync;

  SyncProcessor(CommitSource git, RepositorySecrets secrets, Clock clock, Duration revisionWait,
      int syncRequestPartitions) {
    this.git = git;
    this.secrets = secrets;
    this.clock = clock;
    this.revisionWait = revisionWait;
    this.syncRequestPartitions = syncRequestPartitions;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    TimestampedKeyValueStore<String, RepositoryConfig> repositories = context.getStateStore(SyncTopology.REPOSITORIES);
    TimestampedKeyValueStore<String, ApplicationConfig> applications = context.getStateStore(SyncTopology.APPLICATIONS);
    KeyValueStore<String, SyncRequested> heldStore = context.getStateStore(SyncTopology.HELD_REQUESTS);
    KeyValueStore<String, LastSent> lastSent = context.getStateStore(SyncTopology.LAST_SENT);
    KeyValueStore<String, Long> lastPolls = context.getStateStore(SyncTopology.LAST_POLLS);
    config = new ConfigView(repositories, applications);
    held = new HeldRequests(heldStore);
    polls = new PollSchedule(lastPolls, context.taskId().partition(), syncRequestPartitions);
    sync = new SyncRun(git, secrets, config, new ChangeDetector(lastSent), clock, this::forward);
    context.schedule(RETRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> retryHeld());
    context.schedule(POLL_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> poll());
  }

  @Override
  public void process(Record<String, SyncRequested> record) {
    if (record.value() != null) {
      accept(record.value());
    }
  }

  /** The one way into a sync: through the revision gate, or held until it opens. */
  private void accept(SyncRequested request) {
    if (config.hasReached(request.getRepositoryId(), request.getApplicationId(), request.getMinRevision())) {
      sync.run(request);
      return;
    }
    log.info("holding sync {} of repository {} until configuration revision {} arrives", request.getSyncId(),
        request.getRepositoryId(), request.getMinRevision());
    held.hold(request, clock.instant().plus(revisionWait));
  }

  private void retryHeld() {
    long started = System.nanoTime();
    for (HeldRequests.Held entry : held.all()) {
      if (System.nanoTime() - started > PUNCTUATION_BUDGET_NANOS) {
        return;
      }
      SyncRequested request = entry.request();
      boolean reached = config.hasReached(request.getRepositoryId(), request.getApplicationId(),
          request.getMinRevision());
      if (reached || !clock.instant().isBefore(entry.deadline())) {
        held.release(entry);
        if (!reached) {
          log.warn("sync {} proceeds without configuration revision {} after waiting {}", request.getSyncId(),
              request.getMinRevision(), revisionWait);
        }
        // The gate decided already: run directly so a request is held once, never re-held.
        sync.run(request);
      }
    }
  }

  private void poll() {
    long started = System.nanoTime();
    Instant now = clock.instant();
    for (RepositoryConfig repository : polls.due(config.repositories(), now)) {
      if (System.nanoTime() - started > PUNCTUATION_BUDGET_NANOS) {
        log.warn("polling budget spent; repository {} waits for its next interval", repository.getId());
        continue;
      }
      accept(SyncRequested.newBuilder()
          .setSyncId(UUID.randomUUID().toString())
          .setRepositoryId(repository.getId())
          .setTrigger(SyncTrigger.POLLING)
          .setActor("poller")
          .setMinRevision(0)
          .setAt(now)
          .build());
    }
  }

  private void forward(String key, SpecificRecord value) {
    context.forward(new Record<>(key, value, clock.millis()));
  }
}
