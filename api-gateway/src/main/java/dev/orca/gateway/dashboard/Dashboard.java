package dev.orca.gateway.dashboard;

import dev.orca.gateway.web.ApiException;
import dev.orca.gateway.web.ContentSecurityPolicy;
import dev.orca.gateway.web.RequestPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.resource.ResourceHandlerUtils;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Serves the dashboard's files for GET and HEAD outside {@code /api}: a file that exists under the
 * location as it is, {@code index.html} for {@code /} and for any path whose last segment has no
 * file extension (the dashboard's own routes, such as {@code /applications/123}), 404 for
 * anything else, and for any path that tries to leave the location. Hashed files under
 * {@code assets/} may be cached for good; other files must be revalidated, so a new build is
 * picked up at once. {@code index.html} is never stored: each answer carries a fresh style nonce,
 * written into the page and into its Content-Security-Policy.
 */
final class Dashboard {

  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String REVALIDATE = "no-cache";
  static final String NEVER_STORE = "no-store";
  /** Where index.html expects the nonce; the dashboard reads it from {@code meta[name=orca-csp-nonce]}. */
  static final String NONCE_PLACEHOLDER = "__ORCA_CSP_NONCE__";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int READ_BUFFER_BYTES = 64 * 1024;
  static final String INDEX = "index.html";
  static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";
  static final String NOT_BUILT = "the dashboard is not part of this build";

  private final Resource location;

  Dashboard(Resource location) {
    this.location = location;
  }

  /** Whether a request is the dashboard's to answer; everything else goes on to the API. */
  static boolean handles(ServerRequest request) {
    HttpMethod method = request.method();
    String path = RequestPaths.canonical(request.requestPath().pathWithinApplication());
    // /metrics is the Prometheus endpoint's (MetricsController), not a page.
    return (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method))
        && !RequestPaths.isApi(path) && !path.equals("/metrics") && !path.startsWith("/metrics/");
  }

  Mono<ServerResponse> serve(ServerRequest request) {
    List<String> segments = RequestPaths.segments(request.requestPath().pathWithinApplication());
    if (segments.isEmpty() || segments.equals(List.of(INDEX))) {
      return index(request);
    }
    if (!segments.stream().allMatch(Dashboard::plainName)) {
      return Mono.error(ApiException.notFound("not found"));
    }
    Resource file = file(segments);
    if (file != null) {
      return send(request, file, segments.get(0).equals("assets") ? IMMUTABLE : REVALIDATE);
    }
    if (segments.get(segments.size() - 1).indexOf('.') > 0) {
      return Mono.error(ApiException.notFound("not found"));
    }
    return index(request);
  }

  private Mono<ServerResponse> index(ServerRequest request) {
    Resource index = file(List.of(INDEX));
    if (index == null) {
      return Mono.error(ApiException.notFound(NOT_BUILT));
    }
    return Mono.fromCallable(() -> index.getContentAsString(StandardCharsets.UTF_8))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(page -> {
          String nonce = nonce();
          return ServerResponse.ok()
              .contentType(mediaType(index))
              .header(HttpHeaders.CACHE_CONTROL, NEVER_STORE)
              .header(CONTENT_SECURITY_POLICY, ContentSecurityPolicy.withStyleNonce(nonce))
              .bodyValue(page.replace(NONCE_PLACEHOLDER, nonce));
        });
  }

  /** 128 random bits, base64: a new one for every page, so a nonce seen once is worth nothing. */
  private static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * A segment that names a file or directory and nothing more. Decoded segments are checked, so
   * {@code %2e%2e} and {@code ..%2f} are refused like {@code ..}; dot files are never served.
   */
  private static boolean plainName(String segment) {
    return !segment.startsWith(".") && segment.chars().noneMatch(c -> c == '/' || c == '\\' || c == ':' || c < 0x20);
  }

  /** The readable file at these segments under the location, or null; never one outside it. */
  private Resource file(List<String> segments) {
    // Encoded for a URL location (file:, jar:), which decodes it once more; taken as it is otherwise.
    String relative = segments.stream().map(s -> UriUtils.encodePathSegment(s, StandardCharsets.UTF_8))
        .collect(Collectors.joining("/"));
    try {
      Resource resource = ResourceHandlerUtils.createRelativeResource(location, relative);
      return resource.isReadable() && ResourceHandlerUtils.isResourceUnderLocation(location, resource) ? resource : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Mono<ServerResponse> send(ServerRequest request, Resource file, String cacheControl) {
    Instant modified = lastModified(file);
    Mono<ServerResponse> notModified = modified == null ? Mono.empty() : request.checkNotModified(modified);
    return notModified.switchIfEmpty(Mono.defer(() -> {
      ServerResponse.BodyBuilder response = ServerResponse.ok()
          .contentType(mediaType(file))
          .header(HttpHeaders.CACHE_CONTROL, cacheControl);
      if (modified != null) {
        response.lastModified(modified);
      }
      long length = contentLength(file);
      if (length >= 0) {
        response.contentLength(length);
      }
      // Read as buffers, not sent as a file region: a zero-copy file cannot be compressed, and
      // the scripts are most of what a first visit downloads.
      return response.body(BodyInserters.fromDataBuffers(
          DataBufferUtils.read(file, DefaultDataBufferFactory.sharedInstance, READ_BUFFER_BYTES)));
    }));
  }

  /** The type by file extension; text is always UTF-8, as the dashboard build writes it. */
  static MediaType mediaType(Resource file) {
    MediaType type = MediaTypeFactory.getMediaType(file).orElse(MediaType.APPLICATION_OCTET_STREAM);
    return "text".equals(type.getType()) ? new MediaType(type, StandardCharsets.UTF_8) : type;
  }

  private static long contentLength(Resource file) {
    try {
      return file.contentLength();
    } catch (IOException e) {
      return -1;
    }
  }

  private static Instant lastModified(Resource file) {
    try {
      long millis = file.lastModified();
      return millis > 0 ? Instant.ofEpochMilli(millis) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
