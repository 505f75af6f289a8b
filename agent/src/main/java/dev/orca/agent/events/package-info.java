/** The agent's single producer, writing results, health reports and heartbeats to its events topic. */
package dev.orca.agent.events;
