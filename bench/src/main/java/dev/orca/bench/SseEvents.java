package dev.orca.bench;

import java.util.function.Consumer;

/**
 * Reads a {@code text/event-stream} line by line, as the HTML standard's parser does for the
 * fields the gateway writes: {@code id}, {@code event} and {@code data} (lines joined with a
 * newline), a blank line dispatching the event; comment lines (a leading colon) and other fields
 * are skipped. One instance per stream.
 */
final class SseEvents {

  /** One dispatched event; {@code name} is {@code message} when the stream named none. */
  record Event(String id, String name, String data) {}

  private final Consumer<Event> dispatch;
  private String id;
  private String name;
  private StringBuilder data;

  SseEvents(Consumer<Event> dispatch) {
    this.dispatch = dispatch;
  }

  void line(String line) {
    if (line.isEmpty()) {
      if (data != null) {
        dispatch.accept(new Event(id, name == null ? "message" : name, data.toString()));
      }
      name = null;
      data = null;
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "id" -> id = value;
      case "event" -> name = value;
      case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      default -> {
        // retry and unknown fields mean nothing to the bench
      }
    }
  }

  /**
   * The string value of {@code "field":"..."} in a JSON object's text, or null: the clients look for
   * two fields in each of thousands of events, so they do not parse the whole object. Values
   * with escapes are not expected (commits and instants).
   */
  static String stringField(String json, String field) {
    String key = "\"" + field + "\":\"";
    int at = json.indexOf(key);
    if (at < 0) {
      return null;
    }
    int start = at + key.length();
    int end = json.indexOf('"', start);
    return end < 0 ? null : json.substring(start, end);
  }
}
