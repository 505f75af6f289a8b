package dev.orca.agent.command;

/** The agent is closing mid-command: nothing is published or committed, so the command is redelivered. */
final class AgentStoppingException extends RuntimeException {
  AgentStoppingException() {
    super("the agent is stopping");
  }
}
