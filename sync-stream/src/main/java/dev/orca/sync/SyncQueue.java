package dev.orca.sync;

import dev.orca.git.CommitSource;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.config.ConfigLookup;
import dev.orca.sync.config.ConfigView;
import dev.orca.sync.detect.ChangeDetector;
import dev.orca.sync.detect.LastSent;
import dev.orca.sync.git.RepositorySecrets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The syncs of one task, one at a time per repository in arrival order, their git work on the
 * worker pool and never on the stream thread: a slow or hanging remote holds up its own
 * repository only. A sync starts on the stream thread (SYNCING is emitted, the configuration and
 * change-detection entries it needs are copied), runs its {@link SyncRun} on a worker against
 * those copies, and is finished by {@link #drain} on the stream thread, which emits what it
 * produced and keeps what it sent, in the same transaction that takes it off the queue.
 *
 * <p>The queue is a state store (key {@code <repositoryId>\0<sequence>}), so a restart or a
 * move of the task runs every repository's head again: a sync whose output was not committed
 * is redone, never lost. A poll of a repository that has a sync queued is dropped: that sync
 * fetches anyway.
 */
final class SyncQueue {

  /** What a worker hands back: the sync's output in order, what it sent, or the failure it ended with. */
  private record Done(String repositoryId, String key, SyncRequested request, List<KeyValue<String, SpecificRecord>> output,
      Map<String, LastSent> sent, Throwable failure) {}

  /** Told of a sync that failed in an unexpected way (a bug, not a git error): it goes to the dead letters. */
  interface Failures {
    void failed(SyncRequested request, RuntimeException error);
  }

  private static final char SEPARATOR = '\0';
  /** The running-key of a repository whose queue waits to be resumed. */
  private static final String RESUMING = "";
  private static final Logger log = LoggerFactory.getLogger(SyncQueue.class);

  private final KeyValueStore<String, SyncRequested> store;
  private final Executor workers;
  private final CommitSource git;
  private final RepositorySecrets secrets;
  private final ConfigView config;
  private final ChangeDetector detector;
  private final Clock clock;
  private final SyncRun.Emitter out;
  private final Failures failures;
  /** Repository id → queue key of its running sync; a repository with anything queued is here. */
  private final Map<String, String> running = new HashMap<>();
  /** Repositories whose queue the last owner left, to run from the first drain. */
  private final Set<String> unresumed = new LinkedHashSet<>();
  private final Queue<Done> done = new ConcurrentLinkedQueue<>();
  /** Syncs handed to a worker and not drained yet. */
  private int inFlight;
  private long next;

  SyncQueue(KeyValueStore<String, SyncRequested> store, Executor workers, CommitSource git, RepositorySecrets secrets,
      ConfigView config, ChangeDetector detector, Clock clock, SyncRun.Emitter out, Failures failures) {
    this.store = store;
    this.workers = workers;
    this.git = git;
    this.secrets = secrets;
    this.config = config;
    this.detector = detector;
    this.clock = clock;
    this.out = out;
    this.failures = failures;
  }

  /**
   * The task's start: reads the queue the last owner left. Its heads run again from the first
   * {@link #drain}, not here: a processor may not forward records while it is being initialised.
   */
  void resume() {
    long last = -1;
    try (KeyValueIterator<String, SyncRequested> it = store.all()) {
      while (it.hasNext()) {
        String key = it.next().key;
        int separator = key.lastIndexOf(SEPARATOR);
        unresumed.add(key.substring(0, separator));
        last = Math.max(last, Long.parseLong(key.substring(separator + 1)));
      }
    }
    next = last + 1;
    // Until their heads run, these repositories count as busy: a new request queues behind.
    unresumed.forEach(repositoryId -> running.put(repositoryId, RESUMING));
    if (!unresumed.isEmpty()) {
      log.info("resuming the queued syncs of {} repositories", unresumed.size());
    }
  }

  /**
   * Queues a sync of its repository; true unless it was a poll dropped because a sync of the whole
   * repository is queued or running (that one fetches and resolves every branch anyway).
   */
  boolean add(SyncRequested request) {
    String repositoryId = request.getRepositoryId();
    boolean busy = running.containsKey(repositoryId);
    if (busy && request.getTrigger() == SyncTrigger.POLLING && queuesWholeSync(repositoryId)) {
      return false;
    }
    store.put(key(repositoryId, next++), request);
    if (!busy) {
      runHead(repositoryId);
    }
    return true;
  }

  /** Whether {@link #drain} has anything to do: queues to resume, or git work handed out and not back yet. */
  boolean hasWork() {
    return !unresumed.isEmpty() || inFlight > 0;
  }

  /** Whether a sync of the repository is queued or running. */
  boolean busy(String repositoryId) {
    return running.containsKey(repositoryId);
  }

  private boolean queuesWholeSync(String repositoryId) {
    try (KeyValueIterator<String, SyncRequested> it =
        store.prefixScan(repositoryId + SEPARATOR, new StringSerializer())) {
      while (it.hasNext()) {
        if (isWholeRepository(it.next().value)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A sync of every application at every branch's latest commit (a poll, a sync now, a generic webhook without commit). */
  private static boolean isWholeRepository(SyncRequested request) {
    return request.getApplicationId() == null && request.getBranch() == null
        && (request.getCommit() == null || request.getCommit().isBlank());
  }

  /**
   * Finishes the syncs whose git work is done (stream thread): emits their output, then starts
   * what waits behind them. The first call also starts the queues the last owner left.
   */
  void drain() {
    if (!unresumed.isEmpty()) {
      List<String> resumed = new ArrayList<>(unresumed);
      unresumed.clear();
      resumed.forEach(this::runHead);
    }
    Done finished;
    while ((finished = done.poll()) != null) {
      inFlight--;
      if (!finished.key().equals(running.get(finished.repositoryId()))) {
        continue; // cannot happen while one sync per repository runs; never emit twice
      }
      try {
        if (finished.failure() == null) {
          emit(finished);
        } else {
          fail(finished, finished.failure());
        }
      } catch (RuntimeException e) {
        fail(finished, e);
      }
      store.delete(finished.key());
      runHead(finished.repositoryId());
    }
  }

  /**
   * The output of a sync, as far as the configuration still agrees: an application that was
   * deleted or moved to another repository while the sync ran gets no DeployRequested from it (the
   * sync of its new repository decides), and its change-detection entry is not written back.
   */
  private void emit(Done finished) {
    for (KeyValue<String, SpecificRecord> record : finished.output()) {
      if (record.value instanceof DeployRequested && !stillIn(record.key, finished.repositoryId())) {
        log.info("sync {} drops its DeployRequested of application {}: no longer in repository {}",
            finished.request().getSyncId(), record.key, finished.repositoryId());
        continue;
      }
      out.emit(record.key, record.value);
    }
    Map<String, LastSent> sent = new HashMap<>(finished.sent());
    sent.keySet().removeIf(applicationId -> !stillIn(applicationId, finished.repositoryId()));
    detector.record(sent);
  }

  private boolean stillIn(String applicationId, String repositoryId) {
    return config.application(applicationId).map(a -> repositoryId.equals(a.getRepositoryId())).orElse(false);
  }

  private void fail(Done finished, Throwable error) {
    RuntimeException failure = error instanceof RuntimeException e ? e : new IllegalStateException(error);
    failures.failed(finished.request(), failure);
    out.emit(finished.repositoryId(),
        new SyncRun(git, secrets, config, detector, clock, null).failedUnexpectedly(finished.request(), failure));
  }

  /** Starts the repository's oldest queued sync, if any. */
  private void runHead(String repositoryId) {
    while (true) {
      KeyValue<String, SyncRequested> head = head(repositoryId);
      if (head == null) {
        running.remove(repositoryId);
        return;
      }
      running.put(repositoryId, head.key);
      if (config.repository(repositoryId).isPresent()) {
        start(head.key, head.value);
        return;
      }
      // Nothing to fetch: the run says why at once (a manual deploy learns it did not start).
      new SyncRun(git, secrets, config, detector, clock, out).run(head.value);
      store.delete(head.key);
    }
  }

  private void start(String key, SyncRequested request) {
    String repositoryId = request.getRepositoryId();
    ConfigLookup copy = ConfigLookup.copyOf(config, repositoryId, request.getApplicationId());
    List<String> ids = new ArrayList<>();
    copy.applicationsOf(repositoryId).forEach(a -> ids.add(a.getId()));
    copy.application(request.getApplicationId()).map(ApplicationConfig::getId).ifPresent(ids::add);
    ChangeDetector sent = detector.copyOf(ids);
    SyncRun run = new SyncRun(git, secrets, copy, sent, clock, null);
    out.emit(repositoryId, run.syncing(request));
    inFlight++;
    workers.execute(() -> {
      List<KeyValue<String, SpecificRecord>> output = new ArrayList<>();
      try {
        new SyncRun(git, secrets, copy, sent, clock, (k, v) -> output.add(KeyValue.pair(k, v))).run(request);
        done.add(new Done(repositoryId, key, request, output, sent.written(), null));
      } catch (RuntimeException | Error e) {
        // Whatever happens, the sync comes back, or its repository would stay busy until a restart.
        done.add(new Done(repositoryId, key, request, List.of(), Map.of(), e));
      }
    });
  }

  private KeyValue<String, SyncRequested> head(String repositoryId) {
    try (KeyValueIterator<String, SyncRequested> it =
        store.prefixScan(repositoryId + SEPARATOR, new StringSerializer())) {
      return it.hasNext() ? it.next() : null;
    }
  }

  private static String key(String repositoryId, long sequence) {
    return repositoryId + SEPARATOR + String.format("%019d", sequence);
  }
}
