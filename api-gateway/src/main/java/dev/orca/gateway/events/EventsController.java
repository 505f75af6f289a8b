package dev.orca.gateway.events;

import java.time.Duration;
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

  /** The data of the {@code stream} event: the id this stream continues after, to resume from. */
  record Position(String lastEventId) {}

  private final EventFeed feed;
  private final Duration keepalive;

  EventsController(EventFeed feed, @Value("${orca.events.keepalive:30s}") Duration keepalive) {
    this.feed = feed;
    this.keepalive = keepalive;
  }

  @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<Object>> events(@RequestHeader(name = "Last-Event-ID", required = false) String header,
      @RequestParam(name = "lastEventId", required = false) String parameter) {
    Long lastEventId = lastEventId(header != null && !header.isBlank() ? header : parameter);
    Flux<ServerSentEvent<Object>> changes = feed.stream(lastEventId).mapNotNull(this::event);
    Flux<ServerSentEvent<Object>> keepalives = Flux.interval(keepalive)
        .map(tick -> ServerSentEvent.<Object>builder().comment("keepalive").build())
        .takeUntilOther(feed.closed());
    // The changes are subscribed to first and the comment then commits the response, so a
    // client that has the headers is already following the live feed.
    return Flux.merge(changes, keepalives, Mono.just(ServerSentEvent.builder().comment("connected").build()));
  }

  /** The data of the {@code reset} event. */
  record Reset(String reason) {}

  /**
   * The row as an SSE event, its data JSON text already (the same for every stream) and sent as
   * is; null for a row whose rendering failed (logged).
   */
  private ServerSentEvent<Object> event(EventRow row) {
    if (row.isReset()) {
      return ServerSentEvent.<Object>builder(new Reset("the events after your Last-Event-ID are no longer"
          + " kept: load everything again; the stream continues with the next event")).event(EventRow.RESET).build();
    }
    if (row.isPosition()) {
      String id = Long.toString(row.seq());
      return ServerSentEvent.<Object>builder(new Position(id)).id(id).event(EventRow.STREAM).build();
    }
    if (row.data() == null) {
      return null;
    }
    return ServerSentEvent.<Object>builder(row.data()).id(Long.toString(row.seq())).event(row.entity()).build();
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
