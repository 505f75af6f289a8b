package dev.orca.gateway.agent;

import dev.orca.schemas.crypto.EnvironmentCipher;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * Registers the local agent when {@code orca.local-agent.enabled}: its id is chosen once and
 * kept in {@code system_settings}, so restarts reuse the same agent, topics and applications. It
 * gets an environment key like any agent; one registered before agents had keys gets one now.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orca.local-agent.enabled", havingValue = "true")
class LocalAgentConfiguration {

  static final String SETTING = "local_agent_id";
  static final String NAME = "local";

  @Bean
  LocalAgent localAgent(AgentStore store, AgentTopics topics) {
    byte[] newKey = EnvironmentCipher.newKey();
    return store.settingIfAbsent(SETTING, UUID.randomUUID().toString())
        .flatMap(agentId -> topics.ensure(agentId)
            .then(store.find(agentId).hasElement())
            .flatMap(exists -> exists ? Mono.just(true) : store.insert(agentId, NAME, newKey))
            .flatMap(present -> present ? store.environmentKeyIfAbsent(agentId, newKey) : Mono.error(
                new IllegalStateException("cannot register the local agent: another agent is already named '" + NAME + "'")))
            .map(key -> new LocalAgent(agentId, Base64.getEncoder().encodeToString(key))))
        .block(Duration.ofSeconds(60));
  }
}
