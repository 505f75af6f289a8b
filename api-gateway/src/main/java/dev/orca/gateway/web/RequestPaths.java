package dev.orca.gateway.web;

import java.util.ArrayList;
import java.util.List;
import org.springframework.http.server.PathContainer;

/**
 * The one reading of a request path that decisions outside the router are made on (which
 * requests need authentication, which belong to the dashboard): percent-decoded segments without
 * {@code ;parameters}, empty segments dropped, as the router matches them. Deciding on the raw
 * string would let {@code /%61pi/v1/...} or {@code /api;x/v1/...} past a check meant for
 * {@code /api/}.
 */
public final class RequestPaths {

  private RequestPaths() {}

  /** The decoded, non-empty segments of the path. */
  public static List<String> segments(PathContainer path) {
    List<String> segments = new ArrayList<>();
    for (PathContainer.Element element : path.elements()) {
      if (element instanceof PathContainer.PathSegment segment && !segment.valueToMatch().isEmpty()) {
        segments.add(segment.valueToMatch());
      }
    }
    return segments;
  }

  /** The segments joined with {@code /}, with the trailing slash kept; {@code /} for none. */
  public static String canonical(PathContainer path) {
    List<String> segments = segments(path);
    if (segments.isEmpty()) {
      return "/";
    }
    String canonical = "/" + String.join("/", segments);
    return path.value().endsWith("/") ? canonical + "/" : canonical;
  }

  /** Whether a canonical path belongs to the API rather than to the dashboard. */
  public static boolean isApi(String canonical) {
    return canonical.equals("/api") || canonical.startsWith("/api/");
  }
}
