package dev.orca.agent.command;

import dev.orca.schemas.avro.DeploySettings;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.nio.ByteBuffer;

/**
 * Opens the environment a command carries ({@code settings.environment}, sealed by the gateway
 * for this agent and application) with the agent's ORCA_AGENT_ENVIRONMENT_KEY. The text it
 * returns is never logged; a failure says why without it.
 */
final class EnvironmentKey {

  private final byte[] key;

  /** {@code key} null: this agent cannot open environments (it has no key). */
  EnvironmentKey(byte[] key) {
    this.key = key == null ? null : key.clone();
  }

  /** The {@code .env} text, or null when the command has no environment. */
  String open(String applicationId, DeploySettings settings) throws UnreadableEnvironmentException {
    ByteBuffer sealed = settings == null ? null : settings.getEnvironment();
    if (sealed == null) {
      return null;
    }
    if (key == null) {
      throw new UnreadableEnvironmentException("this agent has no environment key (set ORCA_AGENT_ENVIRONMENT_KEY to"
          + " the environmentKey shown when the agent was registered)");
    }
    ByteBuffer copy = sealed.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    try {
      return EnvironmentCipher.decrypt(key, applicationId, bytes);
    } catch (EnvironmentCipher.DecryptionException e) {
      throw new UnreadableEnvironmentException(e.getMessage());
    }
  }

  /** The environment cannot be opened here: no key, another agent's key, or altered bytes. */
  static final class UnreadableEnvironmentException extends Exception {
    UnreadableEnvironmentException(String message) {
      super(message, null, false, false);
    }
  }
}
