package dev.orca.sync;

import dev.orca.git.CommitSource;
import dev.orca.schemas.DeadLetterHeaders;
import dev.orca.schemas.Topic;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.config.ConfigIndex;
import dev.orca.sync.config.ConfigView;
import dev.orca.sync.config.HeldRequests;
import dev.orca.sync.detect.ChangeDetector;
import dev.orca.sync.detect.LastSent;
import dev.orca.sync.git.RepositorySecrets;
import dev.orca.sync.polling.PollSchedule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every trigger enters through {@link #accept}: a SyncRequested from sync-requests, a held one
 * whose gate opened or whose wait ran out, and a poll; past the gate it joins the
 * {@link SyncQueue}, whose git work runs on the worker pool. Wall-clock punctuators finish syncs
 * whose git work is done (every {@link #DRAIN_INTERVAL}, scheduled only while some is out: a
 * punctuation makes the task commit, and an idle stream must not commit 50 times a second),
 * retry held requests (every 200 ms), apply configuration changes and poll due repositories
 * (every second).
 *
 * <p>Records arrive as bytes and are read here, so a record that cannot be read, or whose
 * processing fails in an unexpected way, is logged with its topic, partition and offset, counted,
 * and forwarded as a {@link DeadLetter} in the same transaction; the stream goes on.
 */
final class SyncProcessor implements Processor<String, byte[], String, Object> {

  static final Duration DRAIN_INTERVAL = Duration.ofMillis(5);
  static final Duration RETRY_INTERVAL = Duration.ofMillis(200);
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
  private static final String COMPONENT = "sync-stream";
  private static final Logger log = LoggerFactory.getLogger(SyncProcessor.class);

  /** A record for the dead-letters topic: the original bytes; where it came from and why travel in its headers. */
  record DeadLetter(byte[] key, byte[] value) {}

  private final CommitSource git;
  private final RepositorySecrets secrets;
  private final Clock clock;
  private final Duration revisionWait;
  private final int syncRequestPartitions;
  private final Topic<String, SyncRequested> syncRequests;
  private final ConfigIndex index;
  private final Executor workers;
  private final DeadLetterCount deadLetters;

  private ProcessorContext<String, Object> context;
  private ConfigView config;
  private HeldRequests held;
  private PollSchedule polls;
  private ChangeDetector detector;
  private SyncQueue queue;
  private Queue<ConfigIndex.Change> changes;
  private Cancellable drainer;

  SyncProcessor(CommitSource git, RepositorySecrets secrets, Clock clock, Duration revisionWait,
      Topic<String, SyncRequested> syncRequests, int syncRequestPartitions, ConfigIndex index, Executor workers,
      DeadLetterCount deadLetters) {
    this.git = git;
    this.secrets = secrets;
    this.clock = clock;
    this.revisionWait = revisionWait;
    this.syncRequests = syncRequests;
    this.syncRequestPartitions = syncRequestPartitions;
    this.index = index;
    this.workers = workers;
    this.deadLetters = deadLetters;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    KeyValueStore<String, RepositoryConfig> repositories = context.getStateStore(SyncTopology.REPOSITORIES);
    KeyValueStore<String, ApplicationConfig> applications = context.getStateStore(SyncTopology.APPLICATIONS);
    KeyValueStore<String, SyncRequested> heldStore = context.getStateStore(SyncTopology.HELD_REQUESTS);
    KeyValueStore<String, LastSent> lastSent = context.getStateStore(SyncTopology.LAST_SENT);
    KeyValueStore<String, Long> lastPolls = context.getStateStore(SyncTopology.LAST_POLLS);
    KeyValueStore<String, SyncRequested> queued = context.getStateStore(SyncTopology.SYNC_QUEUE);
    int partition = context.taskId().partition();
    // Register before reading the stores: a change made meanwhile is then applied twice, never missed.
    changes = index.register(partition);
    config = new ConfigView(repositories, applications, index);
    held = new HeldRequests(heldStore);
    detector = new ChangeDetector(lastSent);
    polls = new PollSchedule(lastPolls, partition, syncRequestPartitions);
    polls.load(config.repositories(), clock.instant());
    queue = new SyncQueue(queued, workers, git, secrets, config, detector, clock, this::forward, this::failed);
    queue.resume();
    followWork();
    context.schedule(RETRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> guarded("retrying held syncs", this::retryHeld));
    context.schedule(POLL_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> guarded("polling", () -> {
      applyChanges();
      poll();
    }));
  }

  /** Finishes syncs now, and keeps the drain punctuator scheduled exactly while git work is out. */
  private void drain() {
    queue.drain();
    followWork();
  }

  private void followWork() {
    if (queue.hasWork() && drainer == null) {
      drainer = context.schedule(DRAIN_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
          now -> guarded("finishing syncs", this::drain));
    } else if (!queue.hasWork() && drainer != null) {
      drainer.cancel();
      drainer = null;
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      accept(syncRequests.value(record.value()));
    } catch (RuntimeException e) {
      Optional<RecordMetadata> source = context.recordMetadata();
      long count = deadLetters.increment();
      log.error("sync-requests record {}-{}@{} (key {}) cannot be processed; dead letter #{}",
          source.map(RecordMetadata::topic).orElse("?"), source.map(RecordMetadata::partition).orElse(-1),
          source.map(RecordMetadata::offset).orElse(-1L), record.key(), count, e);
      Headers headers = DeadLetterHeaders.of(COMPONENT, source.map(RecordMetadata::topic).orElse(null),
          source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L), e);
      byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
      context.forward(new Record<String, Object>(record.key(), new DeadLetter(key, record.value()), clock.millis(),
          headers));
    }
    drain();
  }

  @Override
  public void close() {
    if (changes != null) {
      index.unregister(context.taskId().partition(), changes);
    }
  }

  /** The one way into a sync: through the revision gate, or held until it opens. */
  private void accept(SyncRequested request) {
    if (config.hasReached(request.getRepositoryId(), request.getApplicationId(), request.getMinRevision())) {
      queue.add(request);
      return;
    }
    log.info("holding sync {} of repository {} until configuration revision {} arrives", request.getSyncId(),
        request.getRepositoryId(), request.getMinRevision());
    held.hold(request, clock.instant().plus(revisionWait));
  }

  private void retryHeld() {
    for (HeldRequests.Held entry : held.all()) {
      SyncRequested request = entry.request();
      boolean reached = config.hasReached(request.getRepositoryId(), request.getApplicationId(),
          request.getMinRevision());
      if (reached || !clock.instant().isBefore(entry.deadline())) {
        held.release(entry);
        if (!reached) {
          log.warn("sync {} proceeds without configuration revision {} after waiting {}", request.getSyncId(),
              request.getMinRevision(), revisionWait);
        }
        // The gate decided already: queue directly so a request is held once, never re-held.
        queue.add(request);
      }
    }
    drain();
  }

  /** Configuration changes of this task's repositories: the poll schedule follows, state of what is gone goes. */
  private void applyChanges() {
    ConfigIndex.Change change;
    Instant now = clock.instant();
    while ((change = changes.poll()) != null) {
      if (change instanceof ConfigIndex.RepositoryChanged repository) {
        polls.changed(repository.repositoryId(), config.repository(repository.repositoryId()), now);
      } else if (change instanceof ConfigIndex.ApplicationGone gone && config.application(gone.applicationId())
          .filter(a -> gone.repositoryId().equals(a.getRepositoryId())).isEmpty()) {
        detector.forget(gone.applicationId());
      }
    }
  }

  private void poll() {
    Instant now = clock.instant();
    for (RepositoryConfig repository : polls.due(config::repository, now)) {
      accept(SyncRequested.newBuilder()
          .setSyncId(UUID.randomUUID().toString())
          .setRepositoryId(repository.getId())
          .setTrigger(SyncTrigger.POLLING)
          .setActor("poller")
          .setMinRevision(0)
          .setAt(now)
          .build());
    }
    drain();
  }

  /** A sync whose run failed unexpectedly on a worker: counted, logged and sent to the dead letters. */
  private void failed(SyncRequested request, RuntimeException error) {
    long count = deadLetters.increment();
    log.error("sync {} of repository {} failed unexpectedly; dead letter #{}", request.getSyncId(),
        request.getRepositoryId(), count, error);
    byte[] key = request.getRepositoryId().getBytes(StandardCharsets.UTF_8);
    context.forward(new Record<String, Object>(request.getRepositoryId(),
        new DeadLetter(key, syncRequests.values().serializer().serialize(syncRequests.name(), request)), clock.millis(),
        DeadLetterHeaders.of(COMPONENT, null, -1, -1, error)));
  }

  /** A punctuation that fails is logged and tried again at its next interval; it never stops the stream. */
  private void guarded(String what, Runnable punctuation) {
    try {
      punctuation.run();
    } catch (RuntimeException e) {
      log.error("sync-stream failed {}; trying again at the next interval", what, e);
    }
  }

  /**
   * Forwards and asks for a commit at the end of this loop rather than at the commit interval:
   * under exactly-once, output is invisible until its transaction commits (a SYNCING nobody sees
   * yet, a DeployRequested the dispatcher cannot read yet).
   */
  private void forward(String key, SpecificRecord value) {
    context.forward(new Record<String, Object>(key, value, clock.millis()));
    context.commit();
  }
}
