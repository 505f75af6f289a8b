package dev.orca.gateway.agent;

import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Creates an agent's commands and events topics (idempotent), off the event loop. */
@Component
class AgentTopics {

  private final Admin admin;
  private final Topics topics;

  AgentTopics(Admin admin, Topics topics) {
    this.admin = admin;
    this.topics = topics;
  }

  Mono<Void> ensure(String agentId) {
    return Mono.<Void>fromRunnable(() -> TopicAdmin.ensure(admin, topics.agentTopics(agentId), Duration.ofSeconds(15)))
        .subscribeOn(Schedulers.boundedElastic());
  }
}
