package dev.orca.gateway.agent;

import dev.orca.gateway.kafka.GatewayKafka;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An agent's identity on the broker: a SCRAM credential per generation (principal {@link
 * KafkaAccess#agentPrincipal}) and the ACLs of {@link KafkaAccess#agent}, granted before its
 * topics exist. Rotation makes the next generation's principal and then retires the old one
 * (its ACLs, so its open sessions are refused at their next request, and its credential, so it
 * cannot log in again). Admin calls block, so they run off the event loop.
 */
@Component
class AgentCredentials {

  /** What registration or rotation hands out once: the principal and its password (both null without ACLs). */
  record Issued(String principal, String password, int generation) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final Admin admin;
  private final Topics topics;
  private final GatewayKafka kafka;

  AgentCredentials(Admin admin, Topics topics, GatewayKafka kafka) {
    this.admin = admin;
    this.topics = topics;
    this.kafka = kafka;
  }

  /** The agent's {@code generation}th credential and every grant on its topics. */
  Mono<Issued> issue(String agentId, int generation) {
    if (!kafka.acls()) {
      return Mono.just(new Issued(null, null, generation));
    }
    return blocking(() -> {
      String principal = KafkaAccess.agentPrincipal(agentId, generation);
      String password = KafkaCredentials.newPassword();
      KafkaCredentials.grant(admin, KafkaAccess.agent(topics, kafka.principals(), agentId, principal), TIMEOUT);
      KafkaCredentials.upsert(admin, principal, password, TIMEOUT);
      return new Issued(principal, password, generation);
    });
  }

  /** Takes an old generation's grants and credential away; nothing to do for null (an agent registered before credentials). */
  Mono<Void> retire(String principal) {
    if (!kafka.acls() || principal == null) {
      return Mono.empty();
    }
    return blocking(() -> {
      KafkaCredentials.revoke(admin, List.of(KafkaAccess.ofPrincipal(principal)), TIMEOUT);
      KafkaCredentials.delete(admin, principal, TIMEOUT);
      return true;
    }).then();
  }

  /**
   * Everything of a deleted agent: its principal first (it cannot read or write from here on),
   * then its topics, then every grant left on them (the dispatcher's, the gateway's).
   */
  Mono<Void> removeAll(String agentId, String principal) {
    return retire(principal).then(blocking(() -> {
      try {
        admin.deleteTopics(List.of(topics.agentCommands(agentId).name(), topics.agentEvents(agentId).name())).all()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot delete the topics of agent " + agentId + ": "
              + e.getCause().getMessage(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while deleting the topics of agent " + agentId, e);
      } catch (TimeoutException e) {
        throw new IllegalStateException("the broker did not delete the topics of agent " + agentId + " within "
            + TIMEOUT, e);
      }
      if (kafka.acls()) {
        List<AclBindingFilter> filters = new ArrayList<>(KafkaAccess.onAgent(topics, agentId));
        KafkaCredentials.revoke(admin, filters, TIMEOUT);
      }
      return true;
    })).then();
  }

  /** How the agent connects with this credential. */
  KafkaSecurity security(Issued issued) {
    return kafka.forAgent(issued.principal(), issued.password());
  }

  String agentBootstrap() {
    return kafka.agentBootstrap();
  }

  private static <T> Mono<T> blocking(java.util.concurrent.Callable<T> call) {
    return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic());
  }
}
