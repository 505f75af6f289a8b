package dev.orca.gateway.events;

import dev.orca.gateway.system.EntityRenderer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/events}: one SSE event per change, named after the entity, with the entity
 * as its GET returns it (or {@code {id, deleted: true}}) and the events seq as id, so a client
 * resuming with {@code Last-Event-ID} (or {@code ?lastEventId=}) receives what it missed. Once
 * the missed events are sent, one {@code stream} event carries the id the stream continues after,
 * so a client that has seen no change yet can resume too.
 */
@RestController
class EventsController {

  private static final Logger log = LoggerFactory.getLogger(EventsController.class);

  /** The data of an event about an entity that no longer exists. */
  record Deleted(String id, boolean deleted) {}

  /** The data of the {@code stream} event: the id this stream continues after, to resume from. */
  record Position(String lastEventId) {}

  private final EventFeed feed;
  private final EntityRenderer renderer;
  private final Duration keepalive;

  EventsController(EventFeed feed, EntityRenderer renderer,
      @Value("${orca.events.keepalive:30s}") Duration keepalive) {
    this.feed = feed;
    this.renderer = renderer;
    this.keepalive = keepalive;
  }

  @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<Object>> events(@RequestHeader(name = "Last-Event-ID", required = false) String header,
      @RequestParam(name = "lastEventId", required = false) String parameter) {
    Long lastEventId = lastEventId(header != null && !header.isBlank() ? header : parameter);
    Flux<ServerSentEvent<Object>> changes = feed.stream(lastEventId).concatMap(this::render);
    Flux<ServerSentEvent<Object>> keepalives = Flux.interval(keepalive)
        .map(tick -> ServerSentEvent.<Object>builder().comment("keepalive").build())
        .takeUntilOther(feed.closed());
    // The changes are subscribed to first and the comment then commits the response, so a
    // client that has the headers is already following the live feed.
    return Flux.merge(changes, keepalives, Mono.just(ServerSentEvent.builder().comment("connected").build()));
  }

  /** The data of the {@code reset} event. */
  record Reset(String reason) {}

  private Mono<ServerSentEvent<Object>> render(EventRow row) {
    if (row.isReset()) {
      return Mono.just(ServerSentEvent.<Object>builder(new Reset("the events after your Last-Event-ID are no longer"
          + " kept: load everything again; the stream continues with the next event")).event(EventRow.RESET).build());
    }
    if (row.isPosition()) {
      String id = Long.toString(row.seq());
      return Mono.just(ServerSentEvent.<Object>builder(new Position(id)).id(id).event(EventRow.STREAM).build());
    }
    Mono<Object> current = row.deleted() ? Mono.empty() : renderer.render(row.entity(), row.entityId());
    return current
        .switchIfEmpty(Mono.fromSupplier(() -> new Deleted(row.entityId(), true)))
        .map(data -> ServerSentEvent.builder(data).id(Long.toString(row.seq())).event(row.entity()).build())
        .onErrorResume(e -> {
          log.warn("cannot render {} {} for event {}: {}", row.entity(), row.entityId(), row.seq(), e.toString());
          return Mono.empty();
        });
  }

  private static Long lastEventId(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(value.trim());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Last-Event-ID must be a non-negative integer");
    }
  }
}
