package dev.orca.gateway.events;

import dev.orca.gateway.eventlog.EventAppender;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * The gateway's one view of new {@code events} rows. A dedicated connection LISTENs on
 * {@code orca_events} (reconnecting with back-off) and every notification, plus a periodic
 * safety-net poll, publishes the rows after the last one published to a shared hot flux, in
 * seq order. A gap in seq (a writer that has not committed yet) is waited for a few seconds,
 * then skipped, since a rolled-back insert leaves a gap that never fills. While a stream follows
 * the feed, each live row is published with one shared rendering (its entity read, decrypted and
 * written as JSON when the first stream gets to it, then kept), and every stream sends those same
 * bytes: a thousand dashboards cost one read per change, not a thousand. Publication itself never
 * waits for a rendering.
 */
final class EventFeed implements AutoCloseable {

  static final String CHANNEL = EventAppender.CHANNEL;
  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
  private static final int CLIENT_BUFFER = 4096;
  /** While a gap is open the table is read again this often, until it fills or expires. */
  private static final Duration GAP_RECHECK = Duration.ofMillis(200);
  /** Renderings a stream has under way at once; its events still go out in order. */
  private static final int RENDER_CONCURRENCY = 8;

  /** A published row and its rendering, shared by every stream (null: published while none listened). */
  private record Published(EventRow row, Mono<EventRow> rendered) {}

  private final ConnectionFactory listenerConnections;
  private final EventLog events;
  private final EventRenderer renderer;
  /** Streams following the feed: with none, rows are published unrendered (nobody would read them). */
  private final AtomicInteger streams = new AtomicInteger();
  private final Duration safetyPoll;
  private final Duration gapWait;
  // Replaced at each start after a close: a stopped context (or a paused test context) that is
  // started again must stream again rather than end every new stream at once.
  private volatile Sinks.Many<Published> published = Sinks.many().multicast().directBestEffort();
  private final Sinks.One<Long> ready = Sinks.one();
  private volatile Sinks.Empty<Void> closed = Sinks.empty();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean wasClosed;
  private volatile long lastPublished = -1;
  private long gapSince;
  private Disposable loop;

  EventFeed(ConnectionFactory connectionFactory, DatabaseClient db, EventRenderer renderer, Duration safetyPoll,
      Duration gapWait) {
    this.listenerConnections = unwrap(connectionFactory);
    this.events = new EventLog(db);
    this.renderer = renderer;
    this.safetyPoll = safetyPoll;
    this.gapWait = gapWait;
  }

  void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    if (wasClosed) {
      published = Sinks.many().multicast().directBestEffort();
      closed = Sinks.empty();
      wasClosed = false;
    }
    loop = Flux.merge(notifications(), Flux.interval(Duration.ZERO, safetyPoll).map(tick -> "poll"))
        .onBackpressureLatest()
        .concatMap(trigger -> publishNewRows(), 1)
        .subscribe();
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.dispose();
    }
    published.tryEmitComplete();
    closed.tryEmitEmpty();
    wasClosed = true;
    started.set(false);
  }

  /** Completes when the feed closes, so open streams can end and let the server stop. */
  Mono<Void> closed() {
    return closed.asMono();
  }

  /**
   * Rows after {@code lastEventId} (none when null), then a {@link EventRow#position} with the
   * seq the stream continues after, then live rows, each once, in order and rendered (a row whose
   * rendering failed comes without data). Live rows are buffered while the missed ones are read
   * from the table; a client too slow to drain its buffer gets an error and resumes with its
   * Last-Event-ID.
   */
  Flux<EventRow> stream(Long lastEventId) {
    return ready.asMono().flatMapMany(initial -> Flux.defer(() -> {
      streams.incrementAndGet();
      Sinks.Many<Published> buffer = Sinks.many().unicast().onBackpressureBuffer(
          Queues.<Published>get(CLIENT_BUFFER).get());
      Disposable live = this.published.asFlux().subscribe(row -> {
        if (buffer.tryEmitNext(row).isFailure()) {
          buffer.tryEmitError(new IllegalStateException("event stream client is too slow"));
        }
      }, buffer::tryEmitError, buffer::tryEmitComplete);
      // Subscribed first, then read the cursor: every row after it arrives live, every row up
      // to it is in the table.
      long cursor = lastPublished;
      // What the client missed may be gone: pruned from the log (its id is below the oldest kept),
      // or it comes from another log altogether (its id is past the newest: a restored database).
      // Then it gets a reset, loads afresh, and follows from here, never a silent gap.
      // An id past this gateway's cursor but in the table is no other log: this gateway is behind
      // the one the client came from, and the rows up to that id arrive here live and are skipped.
      Mono<Boolean> gone = lastEventId == null ? Mono.just(false)
          : lastEventId > cursor ? events.maxSeq().map(newest -> lastEventId > newest)
          : events.minSeq().map(oldest -> lastEventId < oldest - 1).defaultIfEmpty(lastEventId > 0);
      return gone.flatMapMany(reset -> {
        Flux<EventRow> missed = reset || lastEventId == null ? Flux.empty()
            : events.between(lastEventId, cursor).flatMapSequential(renderer::render, RENDER_CONCURRENCY);
        long liveAfter = reset || lastEventId == null ? cursor : Math.max(cursor, lastEventId);
        // After what was missed, the position this stream continues from: a client that had no
        // event yet can still resume from there, so nothing that happens while it is away is lost.
        // A live row published before this stream was counted comes unrendered: it is rendered here.
        return Flux.concat(reset ? Mono.just(EventRow.reset(cursor)) : Mono.<EventRow>empty(), missed,
            Mono.just(EventRow.position(liveAfter)),
            buffer.asFlux().filter(next -> next.row().seq() > liveAfter)
                .flatMapSequential(next -> next.rendered() != null ? next.rendered() : renderer.render(next.row()),
                    RENDER_CONCURRENCY));
      }).doFinally(signal -> {
        live.dispose();
        streams.decrementAndGet();
      });
    }));
  }

  /** Rows published from now on, each once and in order; nothing that came before. */
  Flux<EventRow> live() {
    return published.asFlux().map(Published::row);
  }

  private Mono<Void> publishNewRows() {
    return Mono.defer(() -> {
      if (lastPublished < 0) {
        return events.maxSeq().doOnNext(seq -> {
          lastPublished = seq;
          ready.tryEmitValue(seq);
        }).then();
      }
      return events.page(lastPublished)
          .expand(rows -> publish(rows) ? events.page(lastPublished) : Mono.empty())
          .then(Mono.defer(() -> gapSince == 0
              ? Mono.<Void>empty()
              : Mono.delay(GAP_RECHECK).then(Mono.defer(this::publishNewRows))));
    }).onErrorResume(e -> {
      log.warn("cannot read new events, retrying at the next notification or poll: {}", e.toString());
      return Mono.empty();
    });
  }

  /**
   * Publishes rows in order up to the first unexplained gap, each with one rendering for every
   * stream when any listens; true when a full page went out.
   */
  private boolean publish(List<EventRow> rows) {
    for (EventRow row : rows) {
      if (row.seq() != lastPublished + 1 && !gapExpired()) {
        return false;
      }
      // Cursor before emission: a client that reads the new cursor replays the row from the
      // table, one that read the old cursor had subscribed before the row is emitted.
      lastPublished = row.seq();
      gapSince = 0;
      published.tryEmitNext(new Published(row, streams.get() == 0 ? null : renderer.render(row).cache()));
    }
    return rows.size() == EventLog.PAGE;
  }

  private boolean gapExpired() {
    long now = System.nanoTime();
    if (gapSince == 0) {
      gapSince = now;
    }
    return now - gapSince >= gapWait.toNanos();
  }

  /** One element per notification (and one per (re)connect), from a dedicated LISTEN connection. */
  private Flux<String> notifications() {
    return Flux.usingWhen(Mono.from(listenerConnections.create()),
            connection -> {
              PostgresqlConnection postgres = unwrap(connection);
              return postgres.createStatement("LISTEN " + CHANNEL).execute()
                  .flatMap(result -> result.getRowsUpdated())
                  .thenMany(Flux.concat(Mono.just("listening"),
                      postgres.getNotifications().map(notification -> "notified")))
                  .concatWith(Mono.error(new IllegalStateException("LISTEN connection closed")));
            },
            Connection::close)
        .doOnError(e -> log.warn("LISTEN {} failed, reconnecting: {}", CHANNEL, e.toString()))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
            .maxBackoff(Duration.ofSeconds(10)).transientErrors(true));
  }

  /** A pool would keep the LISTEN connection forever, so it gets a connection of its own. */
  private static ConnectionFactory unwrap(ConnectionFactory factory) {
    ConnectionFactory current = factory;
    while (current instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner) {
      current = inner;
    }
    return current;
  }

  private static PostgresqlConnection unwrap(Connection connection) {
    Object current = connection;
    while (!(current instanceof PostgresqlConnection) && current instanceof Wrapped<?> wrapped) {
      current = wrapped.unwrap();
    }
    if (current instanceof PostgresqlConnection postgres) {
      return postgres;
    }
    throw new IllegalStateException("LISTEN needs a PostgreSQL R2DBC connection, got " + connection.getClass());
  }
}
