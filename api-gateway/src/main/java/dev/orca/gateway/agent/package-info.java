/**
 * Agents: registration (row, {@code AgentConfig} snapshot, per-agent topics, connection settings
 * shown once), listing with online/offline computed from heartbeats, and the local agent of
 * {@code ./orca up}.
 */
package dev.orca.gateway.agent;
