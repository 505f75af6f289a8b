package dev.orca.gateway.application;

import dev.orca.gateway.agent.AgentJson;
import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.crypto.EnvironmentCipher;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Seals an application's {@code .env} for its agent with the agent's environment key (the format
 * of {@code DeploySettings.environment}, the application id bound in), and opens it again to list
 * names or to seal it for another agent. Agents registered before agents had keys cannot take
 * environment variables: asking answers 409.
 */
@Component
class EnvironmentSealer {

  private final AgentViews agents;

  EnvironmentSealer(AgentViews agents) {
    this.agents = agents;
  }

  /** The {@code .env} sealed for the agent; empty for no variables (nothing to seal). */
  Mono<Optional<byte[]>> seal(String agentId, UUID applicationId, String dotEnv) {
    if (dotEnv.isEmpty()) {
      return Mono.just(Optional.empty());
    }
    return key(agentId).map(key -> Optional.of(EnvironmentCipher.encrypt(key, applicationId.toString(), dotEnv)));
  }

  /** The {@code .env} text of an environment sealed for the agent; empty text for none. */
  Mono<String> open(String agentId, UUID applicationId, byte[] sealed) {
    if (sealed == null) {
      return Mono.just("");
    }
    return key(agentId).map(key -> EnvironmentCipher.decrypt(key, applicationId.toString(), sealed));
  }

  /**
   * The environment sealed for {@code from}, now for {@code to}. Unchanged bytes when the agent
   * stays: sealing anew would change the snapshot (and so the deployment) for nothing.
   */
  Mono<Optional<byte[]>> reseal(String from, String to, UUID applicationId, byte[] sealed) {
    if (sealed == null) {
      return Mono.just(Optional.empty());
    }
    if (from.equals(to)) {
      return Mono.just(Optional.of(sealed));
    }
    return open(from, applicationId, sealed).flatMap(dotEnv -> seal(to, applicationId, dotEnv));
  }

  private Mono<byte[]> key(String agentId) {
    return agents.environmentKey(agentId).switchIfEmpty(Mono.defer(() -> agents.find(agentId)
        .map(AgentJson::name)
        .defaultIfEmpty(agentId)
        .flatMap(name -> Mono.error(ApiException.conflict("agent " + name + " has no environment key: it was"
            + " registered before Orca had environment variables, so its applications cannot have any;"
            + " register the agent again to use them")))));
  }
}
