package dev.orca.gateway.agent;

import java.time.Duration;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * Registers the local agent when {@code orca.local-agent.enabled}: its id is chosen once and
 * kept in {@code system_settings}, so restarts reuse the same agent, topics and applications.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orca.local-agent.enabled", havingValue = "true")
class LocalAgentConfiguration {

  static final String SETTING = "local_agent_id";
  static final String NAME = "local";

  @Bean
  LocalAgent localAgent(AgentStore store, AgentTopics topics) {
    String id = store.settingIfAbsent(SETTING, UUID.randomUUID().toString())
        .flatMap(agentId -> topics.ensure(agentId)
            .then(store.find(agentId).hasElement())
            .flatMap(exists -> exists ? Mono.just(true) : store.insert(agentId, NAME))
            .flatMap(present -> present ? Mono.just(agentId) : Mono.error(new IllegalStateException(
                "cannot register the local agent: another agent is already named '" + NAME + "'"))))
        .block(Duration.ofSeconds(60));
    return new LocalAgent(id);
  }
}
