package dev.orca.agent.compose;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A parsed compose file. The agent only adds labels to every service so it can find the
 * containers again; everything else is written back as it came (comments aside).
 */
public final class ComposeFile {

  private final Map<String, Object> document;
  private final Map<String, Object> services;

  private ComposeFile(Map<String, Object> document, Map<String, Object> services) {
    this.document = document;
    this.services = services;
  }

  /** Parses with SnakeYAML's safe constructor (no arbitrary types). */
  @SuppressWarnings("unchecked")
  public static ComposeFile parse(String yaml) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml == null ? "" : yaml);
    } catch (YAMLException e) {
      throw new InvalidComposeFileException("compose file is not valid YAML: " + firstLine(e.getMessage()), e);
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new InvalidComposeFileException("compose file must be a YAML mapping with a 'services' section");
    }
    Object services = map.get("services");
    if (!(services instanceof Map<?, ?> serviceMap) || serviceMap.isEmpty()) {
      throw new InvalidComposeFileException("compose file has no 'services' mapping");
    }
    for (Map.Entry<?, ?> e : serviceMap.entrySet()) {
      if (!(e.getKey() instanceof String) || !(e.getValue() == null || e.getValue() instanceof Map)) {
        throw new InvalidComposeFileException("service '" + e.getKey() + "' must be a mapping");
      }
    }
    return new ComposeFile((Map<String, Object>) map, (Map<String, Object>) services);
  }

  /**
   * A compose file the main one includes or extends from: a mapping whose {@code services}, when
   * present, is a mapping of mappings (an include may bring only networks or volumes).
   */
  @SuppressWarnings("unchecked")
  public static ComposeFile parsePart(String yaml) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml == null ? "" : yaml);
    } catch (YAMLException e) {
      throw new InvalidComposeFileException("not valid YAML: " + firstLine(e.getMessage()), e);
    }
    if (root == null) {
      return new ComposeFile(new LinkedHashMap<>(), new LinkedHashMap<>());
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new InvalidComposeFileException("not a YAML mapping");
    }
    Object services = map.get("services");
    if (services == null) {
      return new ComposeFile((Map<String, Object>) map, new LinkedHashMap<>());
    }
    if (!(services instanceof Map<?, ?> serviceMap)) {
      throw new InvalidComposeFileException("its 'services' is not a mapping");
    }
    for (Map.Entry<?, ?> e : serviceMap.entrySet()) {
      if (!(e.getKey() instanceof String) || !(e.getValue() == null || e.getValue() instanceof Map)) {
        throw new InvalidComposeFileException("service '" + e.getKey() + "' must be a mapping");
      }
    }
    return new ComposeFile((Map<String, Object>) map, (Map<String, Object>) services);
  }

  /** A top-level entry as parsed ({@code include}, {@code volumes}, ...), or null. */
  public Object topLevel(String key) {
    return document.get(key);
  }

  /** Each service's definition as parsed (an empty map for a service written without one). */
  @SuppressWarnings("unchecked")
  public Map<String, Map<String, Object>> serviceDefinitions() {
    Map<String, Map<String, Object>> definitions = new LinkedHashMap<>();
    services.forEach((name, value) -> definitions.put(name,
        value == null ? Map.of() : Collections.unmodifiableMap((Map<String, Object>) value)));
    return definitions;
  }

  public Set<String> services() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(services.keySet()));
  }

  /** The file as YAML with {@code labels} set on every service (a map or a "k=v" list, whichever it used). */
  public String withLabels(Map<String, String> labels) {
    return withLabels(labels, Map.of());
  }

  /** Like {@link #withLabels(Map)}, with more labels on some services, by service name. */
  public String withLabels(Map<String, String> labels, Map<String, Map<String, String>> perService) {
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> service = asServiceMap(e);
      Map<String, String> all = new LinkedHashMap<>(labels);
      all.putAll(perService.getOrDefault(e.getKey(), Map.of()));
      service.put("labels", merged(service.get("labels"), all, e.getKey()));
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options).dump(document);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> asServiceMap(Map.Entry<String, Object> e) {
    if (e.getValue() == null) {
      e.setValue(new LinkedHashMap<String, Object>());
    }
    return (Map<String, Object>) e.getValue();
  }

  private static Object merged(Object existing, Map<String, String> labels, String service) {
    if (existing == null || existing instanceof Map<?, ?>) {
      Map<Object, Object> map = new LinkedHashMap<>();
      if (existing != null) {
        map.putAll((Map<?, ?>) existing);
      }
      map.putAll(labels);
      return map;
    }
    if (existing instanceof List<?> list) {
      List<Object> merged = new ArrayList<>();
      for (Object item : list) {
        String key = String.valueOf(item).split("=", 2)[0];
        if (!labels.containsKey(key)) {
          merged.add(item);
        }
      }
      labels.forEach((k, v) -> merged.add(k + "=" + v));
      return merged;
    }
    throw new InvalidComposeFileException("labels of service '" + service + "' must be a mapping or a list");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.replace('\n', ' ').replaceAll("\\s+", " ").trim();
  }
}
