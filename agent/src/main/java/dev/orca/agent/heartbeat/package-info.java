/** The agent's heartbeat: liveness plus whether it can deploy, keyed by agent id. */
package dev.orca.agent.heartbeat;
