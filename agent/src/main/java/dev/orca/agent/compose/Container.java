package dev.orca.agent.compose;

/**
 * One container of an application as the engine reports it; {@code health} is null when the
 * service defines no healthcheck, else starting, healthy or unhealthy.
 */
public record Container(String name, String service, String state, String health, String image) {}
