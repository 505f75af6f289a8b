package dev.orca.gateway.agent;

/** The agent registered for {@code ./orca up}; the launcher starts an agent process with this id. */
public record LocalAgent(String id) {}
