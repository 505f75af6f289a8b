package dev.orca.agent.compose;

/**
 * Whether this host can deploy: the engine answered (with its version) and which compose CLI
 * it has. {@code message} says, for people, why it cannot deploy; null when it can.
 */
public record EngineStatus(boolean dockerAvailable, String dockerVersion, String composeCommand,
    String message) {

  public boolean canDeploy() {
    return message == null;
  }
}
