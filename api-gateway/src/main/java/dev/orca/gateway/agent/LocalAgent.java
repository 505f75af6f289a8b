package dev.orca.gateway.agent;

import java.util.Map;

/**
 * The agent registered for {@code ./orca up}; the launcher starts an agent with this id and
 * these settings (its connection's environment: the broker, a credential issued at this start,
 * the CA, the environment key).
 */
public record LocalAgent(String id, Map<String, String> environment) {

  public LocalAgent {
    environment = Map.copyOf(environment);
  }

  /** Without the settings: they hold a password and the environment key, and must not reach a log. */
  @Override
  public String toString() {
    return "LocalAgent[id=" + id + "]";
  }
}
