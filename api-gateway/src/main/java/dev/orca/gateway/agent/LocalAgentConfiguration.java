package dev.orca.gateway.agent;

import dev.orca.schemas.Topics;
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
 * gets an environment key like any agent (one registered before agents had keys gets one now),
 * and a new Kafka credential at every start, the previous one retired: its password lives only
 * in this JVM.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orca.local-agent.enabled", havingValue = "true")
class LocalAgentConfiguration {

  static final String SETTING = "local_agent_id";
  static final String NAME = "local";

  @Bean
  LocalAgent localAgent(AgentStore store, AgentTopics topics, AgentCredentials credentials, AgentRegistry registry,
      Topics catalogue) {
    byte[] newKey = EnvironmentCipher.newKey();
    return store.settingIfAbsent(SETTING, UUID.randomUUID().toString())
        .flatMap(agentId -> store.find(agentId).hasElement()
            .flatMap(exists -> exists
                // Registered at an earlier start: a new credential, the older ones retired.
                ? registry.renew(agentId).flatMap(issued -> topics.ensure(agentId).thenReturn(issued))
                : credentials.issue(agentId, 1).flatMap(issued -> topics.ensure(agentId)
                    .then(store.insert(agentId, NAME, newKey, issued.principal(), 1))
                    .flatMap(inserted -> inserted ? Mono.just(issued) : Mono.error(new IllegalStateException(
                        "cannot register the local agent: another agent is already named '" + NAME + "'")))))
            .flatMap(issued -> store.environmentKeyIfAbsent(agentId, newKey)
                .map(key -> new LocalAgent(agentId, AgentConnection.of(credentials.agentBootstrap(),
                    credentials.security(issued), catalogue, agentId, Base64.getEncoder().encodeToString(key))
                    .environment()))))
        .block(Duration.ofSeconds(60));
  }
}
