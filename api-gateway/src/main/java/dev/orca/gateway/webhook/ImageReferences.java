package dev.orca.gateway.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Whether a pushed image is one an application runs. References are compared by registry,
 * repository and tag the way Docker reads them ({@code nginx} is
 * {@code docker.io/library/nginx:latest}); a pushed reference without a tag matches every tag, a
 * digest is ignored. When the compose file is unknown, names an image through a variable or may take
 * images from other files ({@code include}, {@code extends}), every push may concern it.
 */
final class ImageReferences {

  private ImageReferences() {}

  /** A reference in Docker's canonical form: registry/repository, and its tag (null when none was given). */
  record Reference(String repository, String tag) {

    boolean matches(Reference used) {
      return repository.equals(used.repository()) && (tag == null || tag.equals(used.tag()));
    }
  }

  static Reference parse(String reference) {
    String ref = reference.trim();
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    String tag = null;
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      tag = ref.substring(colon + 1);
      ref = ref.substring(0, colon);
    }
    int slash = ref.indexOf('/');
    String first = slash < 0 ? "" : ref.substring(0, slash);
    boolean hasRegistry = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    if (!hasRegistry) {
      ref = "docker.io/" + (slash < 0 ? "library/" : "") + ref;
    } else if (first.equals("index.docker.io") || first.equals("registry-1.docker.io")) {
      ref = "docker.io" + ref.substring(first.length());
    }
    return new Reference(ref.toLowerCase(Locale.ROOT), tag);
  }

  /**
   * The images of the compose file's services, tag "latest" where none is given; empty (unknown)
   * when it cannot be read, uses variables, includes other files, or has a service that
   * {@code extends} another without naming its own image (the image may come from another file).
   */
  static Optional<List<Reference>> used(String composeFile) {
    if (composeFile == null) {
      return Optional.empty();
    }
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(composeFile);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (!(root instanceof Map<?, ?> map) || map.containsKey("include")
        || !(map.get("services") instanceof Map<?, ?> services)) {
      return Optional.empty();
    }
    List<Reference> used = new ArrayList<>();
    for (Object service : services.values()) {
      if (!(service instanceof Map<?, ?> definition)) {
        continue;
      }
      if (!(definition.get("image") instanceof String image)) {
        if (definition.containsKey("extends")) {
          return Optional.empty();
        }
        continue;
      }
      if (image.contains("$")) {
        return Optional.empty();
      }
      Reference reference = parse(image);
      used.add(reference.tag() == null ? new Reference(reference.repository(), "latest") : reference);
    }
    return Optional.of(used);
  }

  /**
   * The pushed references the application does not run, empty when it runs one of them (or
   * might: see {@link #used}), or when nothing was named.
   */
  static Optional<String> unused(List<String> pushed, String composeFile) {
    if (pushed.isEmpty()) {
      return Optional.empty();
    }
    Optional<List<Reference>> used = used(composeFile);
    if (used.isEmpty()) {
      return Optional.empty();
    }
    for (String image : pushed) {
      Reference reference = parse(image);
      if (used.get().stream().anyMatch(reference::matches)) {
        return Optional.empty();
      }
    }
    return Optional.of(String.join(", ", pushed));
  }
}
