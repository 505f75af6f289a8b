package dev.orca.gateway.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * What a caller of a list route asks for beyond the route's own filters: {@code q}, a text every
 * item it wants contains (case-insensitively) in one of the fields the route searches, and a page
 * of it, {@code limit} items from {@code offset} or after the item {@code after}. Without
 * {@code limit} the answer is the whole (filtered) list, as a client written before paging
 * expects. Every answer says how many items matched ({@code X-Total-Count}) and, when more
 * follow, where the next page is ({@code Link: <...>; rel="next"}, relative to this server, so it
 * never names a host some request's headers claimed).
 */
public record ListQuery(String search, Integer limit, int offset, String after) {

  public static final String TOTAL_COUNT = "X-Total-Count";
  public static final int MAX_LIMIT = 500;
  private static final int MAX_SEARCH = 200;

  /** The query of these parameters as given (each may be null); 400 for one that is not valid. */
  public static ListQuery of(String q, String limit, String offset, String after) {
    String search = q == null || q.isBlank() ? null : q.strip().toLowerCase(Locale.ROOT);
    if (search != null && search.length() > MAX_SEARCH) {
      throw ApiException.badRequest("q must be at most " + MAX_SEARCH + " characters");
    }
    Integer size = limit == null ? null : number(limit, "limit");
    if (size != null && (size < 1 || size > MAX_LIMIT)) {
      throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
    }
    Integer skip = offset == null ? null : number(offset, "offset");
    if (skip != null && skip < 0) {
      throw ApiException.badRequest("offset must not be negative");
    }
    if (after != null && (after.isBlank() || after.length() > 100)) {
      throw ApiException.badRequest("after must be the id of an item of the list");
    }
    if (after != null && skip != null) {
      throw ApiException.badRequest("give either offset or after, not both");
    }
    return new ListQuery(search, size, skip == null ? 0 : skip, after);
  }

  /** Whether any of {@code fields} (nulls skipped) contains the search text; true without one. */
  public boolean matches(String... fields) {
    if (search == null) {
      return true;
    }
    for (String field : fields) {
      if (field != null && field.toLowerCase(Locale.ROOT).contains(search)) {
        return true;
      }
    }
    return false;
  }

  /** Which items of a list of {@code total} this query asks for: those from {@code from} to before {@code to}. */
  public record Slice(int from, int to, int total) {}

  /**
   * The page of {@code matching} (every item that matched, in the list's order) this query asks
   * for, with its headers. 400 when {@code after} names no item of it.
   */
  public <T> ResponseEntity<List<T>> answer(List<T> matching, Function<T, String> idOf, ServerHttpRequest request) {
    Slice slice = slice(matching, idOf);
    return answer(slice, new ArrayList<>(matching.subList(slice.from(), slice.to())), request);
  }

  /**
   * Which of {@code matching} (every item that matched, in the list's order, or just their keys)
   * this query asks for. 400 when {@code after} names no item of it.
   */
  public <T> Slice slice(List<T> matching, Function<T, String> idOf) {
    int from = offset;
    if (after != null) {
      from = -1;
      for (int i = 0; i < matching.size(); i++) {
        if (after.equals(idOf.apply(matching.get(i)))) {
          from = i + 1;
          break;
        }
      }
      if (from < 0) {
        throw ApiException.badRequest("after must be the id of an item of this list (with the same filters):"
            + " follow the Link header, or use offset");
      }
    }
    from = Math.min(from, matching.size());
    int to = limit == null ? matching.size() : Math.min(matching.size(), from + limit);
    return new Slice(from, to, matching.size());
  }

  /** The answer of a slice: its {@code items}, the total and, when more follow, the link to them. */
  public <T> ResponseEntity<List<T>> answer(Slice slice, List<T> items, ServerHttpRequest request) {
    ResponseEntity.BodyBuilder answer = ResponseEntity.ok().header(TOTAL_COUNT, Integer.toString(slice.total()));
    if (slice.to() < slice.total()) {
      // From the decoded parameters, encoded again: the raw query may hold what java.net.URI lets
      // through and a strict builder refuses ("[", raw UTF-8), which must not turn into a 500.
      UriComponents next = UriComponentsBuilder.fromPath(request.getPath().value())
          .queryParams(request.getQueryParams())
          .replaceQueryParam("after")
          .replaceQueryParam("offset", slice.to())
          // Encoded as components, not as a template: "{x}" in a value is text, not a variable.
          .build()
          .encode();
      answer.header("Link", "<" + next.getPath() + "?" + next.getQuery() + ">; rel=\"next\"");
    }
    return answer.body(items);
  }

  /**
   * The values of a filter given as a comma-separated list ({@code healthStatus=unhealthy,missing}),
   * each one of {@code allowed}; empty when the parameter is absent. 400 names the allowed values.
   */
  public static Set<String> oneOf(String parameter, String value, Collection<String> allowed) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    Set<String> values = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String v = part.strip().toLowerCase(Locale.ROOT);
      if (!allowed.contains(v)) {
        throw ApiException.badRequest(parameter + " must be one or more of " + String.join(", ", allowed)
            + ", separated by commas");
      }
      values.add(v);
    }
    return values;
  }

  /** The lowercase names of an enum's constants, in their order. */
  public static List<String> valuesOf(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
  }

  private static int number(String value, String parameter) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(parameter + " must be a whole number");
    }
  }
}
