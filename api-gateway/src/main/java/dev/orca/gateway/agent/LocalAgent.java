package dev.orca.gateway.agent;

/**
 * The agent registered for {@code ./orca up}; the launcher starts an agent process with this id
 * and this environment key (base64, for ORCA_AGENT_ENVIRONMENT_KEY).
 */
public record LocalAgent(String id, String environmentKey) {

  /** Without the key: it must not reach a log. */
  @Override
  public String toString() {
    return "LocalAgent[id=" + id + "]";
  }
}
