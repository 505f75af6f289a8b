package dev.orca.schemas;

import java.util.List;

/**
 * The rules of the agent's compose policy that an admin may allow for one application
 * ({@code DeploySettings.allowedPolicyRules}): the gateway accepts only these, the agent checks
 * them. Their order is the one the API and the dashboard show.
 */
public final class PolicyRules {

  /** {@code privileged: true}. */
  public static final String PRIVILEGED = "privileged";
  /** A dangerous {@code cap_add} (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL, …). */
  public static final String CAPABILITIES = "capabilities";
  /** {@code network_mode: host}, {@code pid: host}, {@code ipc: host} and the like. */
  public static final String HOST_NAMESPACES = "host-namespaces";
  /** A mount of the Docker socket. */
  public static final String DOCKER_SOCKET = "docker-socket";
  /** A bind mount of a host path outside the application's directory. */
  public static final String HOST_MOUNTS = "host-mounts";

  public static final List<String> ALL = List.of(PRIVILEGED, CAPABILITIES, HOST_NAMESPACES, DOCKER_SOCKET, HOST_MOUNTS);

  private PolicyRules() {}
}
