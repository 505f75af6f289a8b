package dev.orca.agent.compose;

/**
 * Whether this host can deploy: the engine answered (with its version) and which compose CLI
 * it has (with its version, null when unknown). {@code message} says, for people, why it cannot
 * deploy; null when it can.
 */
public record EngineStatus(boolean dockerAvailable, String dockerVersion, String composeCommand,
    String composeVersion, String message) {

  public boolean canDeploy() {
    return message == null;
  }
}
