/**
 * The Orca agent: a plain Java process on a Docker host that applies the commands on its own
 * {@code agent.<id>.commands} topic with docker compose and reports results, health and
 * heartbeats on {@code agent.<id>.events}. {@link dev.orca.agent.Agent} is the entry point.
 */
package dev.orca.agent;
