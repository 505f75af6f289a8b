package dev.orca.agent.compose;

import dev.orca.schemas.avro.HealthStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Aggregates container states into an application's health, and says what keeps a deploy from being ready. */
public final class Health {

  private static final Set<String> BROKEN = Set.of("restarting", "exited", "dead", "paused");

  private Health() {}

  public static HealthStatus of(Collection<Container> containers) {
    if (containers.isEmpty()) {
      return HealthStatus.MISSING;
    }
    boolean allUp = true;
    for (Container c : containers) {
      if (BROKEN.contains(c.state()) || "unhealthy".equals(c.health())) {
        return HealthStatus.UNHEALTHY;
      }
      allUp &= ready(c);
    }
    return allUp ? HealthStatus.HEALTHY : HealthStatus.PROGRESSING;
  }

  /**
   * The health after a failed deployment: what is there, and nothing is "progressing" any more
   * (a container left created but never started, or still starting past the deadline, is
   * unhealthy); missing when the stack has no containers.
   */
  public static HealthStatus afterFailure(Collection<Container> containers) {
    HealthStatus health = of(containers);
    return health == HealthStatus.PROGRESSING ? HealthStatus.UNHEALTHY : health;
  }

  /**
   * Descriptions of what is not ready ("web (exited)", "db (no container)"); empty when every
   * service has a container and all containers run, healthy where a healthcheck is defined.
   */
  public static List<String> notReady(Set<String> services, Collection<Container> containers) {
    List<String> problems = new ArrayList<>();
    for (String service : services) {
      if (containers.stream().noneMatch(c -> service.equals(c.service()))) {
        problems.add(service + " (no container)");
      }
    }
    for (Container c : containers) {
      if (!ready(c)) {
        problems.add(c.service() + " (" + c.state() + (c.health() == null ? "" : ", " + c.health()) + ")");
      }
    }
    return problems;
  }

  /**
   * Whether the container failed in a way waiting will not mend: it exited, died, keeps
   * restarting, or its healthcheck says unhealthy. "Still starting" is not failed.
   */
  public static boolean failed(Container c) {
    return "exited".equals(c.state()) || "dead".equals(c.state()) || "restarting".equals(c.state())
        || "unhealthy".equals(c.health());
  }

  private static boolean ready(Container c) {
    return "running".equals(c.state()) && (c.health() == null || "healthy".equals(c.health()));
  }
}
