package dev.orca.gateway.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;

/**
 * What an image webhook says: which registry sent it and the images pushed (references such as
 * {@code ghcr.io/acme/web:1.2}; empty when the body names none, as a plain webhook may), or why it
 * asks for nothing. Recognised bodies: GitHub's {@code package} and {@code registry_package}
 * events, Docker Hub's push payload, Harbor's {@code PUSH_ARTIFACT}, and a plain
 * {@code {"image": "…"}} or empty body.
 */
sealed interface ImagePush {

  /** An update to consider, from {@code provider}. */
  record Pushed(String provider, List<String> images) implements ImagePush {}

  /** Nothing to update, and why. */
  record Ignored(String reason) implements ImagePush {}

  static ImagePush read(HttpHeaders headers, JsonNode body) {
    String githubEvent = headers.getFirst("X-GitHub-Event");
    if (githubEvent != null) {
      return github(githubEvent.trim().toLowerCase(Locale.ROOT), body);
    }
    if (body.isMissingNode() || body.isNull()) {
      return new Pushed("plain", List.of());
    }
    if (!body.isObject()) {
      return new Ignored("the body is not a JSON object");
    }
    if (body.has("push_data") && body.has("repository")) {
      return dockerHub(body);
    }
    if (body.has("event_data") && body.has("type")) {
      return harbor(body);
    }
    JsonNode image = body.get("image");
    if (image == null || image.isNull()) {
      return new Pushed("plain", List.of());
    }
    if (!image.isString() || image.stringValue().isBlank()) {
      return new Ignored("'image' must be an image reference");
    }
    return new Pushed("plain", List.of(image.stringValue().trim()));
  }

  private static ImagePush github(String event, JsonNode body) {
    if (event.equals("ping")) {
      return new Ignored("ping");
    }
    if (!event.equals("package") && !event.equals("registry_package")) {
      return new Ignored("GitHub event '" + event + "' is not a package push");
    }
    String action = text(body.path("action"));
    if (!"published".equals(action) && !"updated".equals(action)) {
      return new Ignored("GitHub package action '" + action + "' publishes nothing");
    }
    JsonNode pkg = body.path(event.equals("package") ? "package" : "registry_package");
    String type = text(pkg.path("package_type"));
    if (type != null && !type.equalsIgnoreCase("container") && !type.equalsIgnoreCase("docker")) {
      return new Ignored("GitHub package type '" + type + "' is not a container image");
    }
    List<String> images = new ArrayList<>();
    String url = text(pkg.path("package_version").path("package_url"));
    if (url != null && !url.isBlank()) {
      images.add(url.trim());
    } else {
      String owner = text(pkg.path("namespace"));
      owner = owner == null ? text(pkg.path("owner").path("login")) : owner;
      String name = text(pkg.path("name"));
      if (owner != null && name != null) {
        String tag = text(pkg.path("package_version").path("container_metadata").path("tag").path("name"));
        images.add("ghcr.io/" + owner.toLowerCase(Locale.ROOT) + "/" + name.toLowerCase(Locale.ROOT)
            + (tag == null || tag.isBlank() ? "" : ":" + tag));
      }
    }
    return new Pushed("github", images);
  }

  private static ImagePush dockerHub(JsonNode body) {
    String repository = text(body.path("repository").path("repo_name"));
    if (repository == null || repository.isBlank()) {
      return new Ignored("Docker Hub payload without repository.repo_name");
    }
    String tag = text(body.path("push_data").path("tag"));
    return new Pushed("dockerhub", List.of(repository.trim() + (tag == null || tag.isBlank() ? "" : ":" + tag.trim())));
  }

  private static ImagePush harbor(JsonNode body) {
    String type = text(body.path("type"));
    if (!"PUSH_ARTIFACT".equalsIgnoreCase(type) && !"pushImage".equalsIgnoreCase(type)) {
      return new Ignored("Harbor event '" + type + "' is not a push");
    }
    List<String> images = new ArrayList<>();
    for (JsonNode resource : body.path("event_data").path("resources")) {
      String url = text(resource.path("resource_url"));
      if (url != null && !url.isBlank()) {
        images.add(url.trim());
      }
    }
    return new Pushed("harbor", images);
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.stringValue() : null;
  }
}
