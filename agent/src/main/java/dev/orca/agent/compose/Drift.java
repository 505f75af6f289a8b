package dev.orca.agent.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whether a running stack still matches what its last successful deployment left running: per
 * service, a container that runs the same image from the same compose configuration (compose's
 * config-hash label). A container removed, stopped, or recreated by hand with another image or
 * configuration is drift; extra or restarted containers of the same configuration are not.
 */
public final class Drift {

  private Drift() {}

  /**
   * What one service ran after the last successful deployment: the image as listed, the compose
   * configuration hash, and the image's id (null when unknown, as in states written before ids
   * were kept).
   */
  public record Expected(String image, String configHash, String imageId) {

    public Expected(String image, String configHash) {
      this(image, configHash, null);
    }
  }

  /** Per service, from the containers a successful deployment reported. */
  public static Map<String, Expected> baseline(List<Container> containers) {
    Map<String, Expected> services = new TreeMap<>();
    for (Container c : containers) {
      services.putIfAbsent(c.service(), new Expected(c.image(), c.configHash(), c.imageId()));
    }
    return services;
  }

  /** "service 'web': container removed; service 'db': stopped (exited)", or empty when nothing drifted. */
  public static Optional<String> between(Map<String, Expected> baseline, List<Container> containers) {
    List<String> drifted = new ArrayList<>();
    for (Map.Entry<String, Expected> e : baseline.entrySet()) {
      String service = e.getKey();
      List<Container> mine = containers.stream().filter(c -> service.equals(c.service())).toList();
      if (mine.isEmpty()) {
        drifted.add("service '" + service + "': container removed");
        continue;
      }
      Expected expected = e.getValue();
      for (Container c : mine) {
        if (otherImage(expected, c)) {
          drifted.add("service '" + service + "': runs image " + c.image() + " instead of " + expected.image());
        } else if (expected.configHash() != null && c.configHash() != null
            && !expected.configHash().equals(c.configHash())) {
          drifted.add("service '" + service + "': container recreated with another configuration");
        } else if (!"running".equals(c.state()) && !"restarting".equals(c.state())) {
          drifted.add("service '" + service + "': stopped (" + c.state() + ")");
        }
      }
    }
    return drifted.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", drifted));
  }

  /**
   * Compared by image id where both are known: a tag that now names a newer image (a pull) leaves
   * the container running what was deployed, which is no drift (the image check reports the update).
   */
  private static boolean otherImage(Expected expected, Container c) {
    if (expected.imageId() != null && c.imageId() != null) {
      return !expected.imageId().equals(c.imageId());
    }
    return expected.image() != null && c.image() != null && !expected.image().equals(c.image());
  }
}
