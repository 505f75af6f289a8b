/**
 * The compose runtime: the {@link dev.orca.agent.compose.ComposeRuntime} seam and its real
 * implementation, which writes each application's files under the deployments directory and
 * drives the host's {@code docker compose} CLI and the Docker engine (docker-java).
 */
package dev.orca.agent.compose;
