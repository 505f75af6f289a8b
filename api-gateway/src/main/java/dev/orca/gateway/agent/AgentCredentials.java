package dev.orca.gateway.agent;

import dev.orca.gateway.kafka.GatewayKafka;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An agent's identity on the broker: a SCRAM credential per generation (principal {@link
 * KafkaAccess#agentPrincipal}) and the ACLs of {@link KafkaAccess#agent}, granted before its
 * topics exist. Rotation makes the next generation's principal and then retires every older one
 * (their ACLs, so open sessions are refused at their next request, and their credentials, so
 * they cannot log in again); retiring is idempotent, so a rotation that failed half-way is
 * finished by the next. Admin calls block, so they run off the event loop.
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

  /**
   * A deleted agent's credentials: every generation's principal (its grants and password), so
   * it can neither log in nor read or write. Its topics and the components' grants on them go
   * later ({@link AgentRetirements}): only once the dispatcher sends it nothing more, since a send
   * to a topic it may not write, or that is gone, would stop the dispatcher.
   */
  Mono<Void> removeAll(String agentId, int generation) {
    return retireBelow(agentId, generation + 1);
  }

  /** A deleted agent's commands topic (idempotent: a topic already gone is fine). */
  Mono<Void> deleteTopics(String agentId) {
    return blocking(() -> {
      TopicAdmin.delete(admin, agentTopics(agentId), TIMEOUT);
      return true;
    }).then();
  }

  /**
   * Whether a consumer of the dispatcher's or the projector's group may still commit offsets of a
   * deleted agent's topics: a member has one of their partitions assigned, or a group is between
   * assignments (its members' assignments are then not yet what they will own). A group that never
   * existed holds nothing.
   */
  Mono<Boolean> stillConsumed(String agentId) {
    return blocking(() -> {
      List<String> names = agentTopics(agentId);
      var described = admin.describeConsumerGroups(List.of(KafkaAccess.dispatcherApplicationId(topics),
          KafkaAccess.projectorGroup(topics))).describedGroups();
      for (var group : described.values()) {
        org.apache.kafka.clients.admin.ConsumerGroupDescription description;
        try {
          description = group.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
            continue;
          }
          throw e;
        }
        if (!SETTLED.contains(description.groupState())) {
          return true;
        }
        boolean assigned = description.members().stream()
            .flatMap(member -> member.assignment().topicPartitions().stream())
            .anyMatch(partition -> names.contains(partition.topic()));
        if (assigned) {
          return true;
        }
      }
      return false;
    });
  }

  private static final java.util.Set<org.apache.kafka.common.GroupState> SETTLED = java.util.EnumSet.of(
      org.apache.kafka.common.GroupState.STABLE, org.apache.kafka.common.GroupState.EMPTY,
      org.apache.kafka.common.GroupState.DEAD);

  /** Every grant left on a deleted agent's topics and its group (the components'). */
  Mono<Void> revokeTopicGrants(String agentId) {
    if (!kafka.acls()) {
      return Mono.empty();
    }
    return blocking(() -> {
      KafkaCredentials.revoke(admin, KafkaAccess.onRetiredAgent(topics, agentId), TIMEOUT);
      return true;
    }).then();
  }

  /**
   * What of a deleted agent's topics goes: its commands (compose files, sealed environments). Its
   * events topic stays, empty of new records (nobody may write it any more): the dispatcher reads
   * every agent's events through one pattern subscription under exactly-once, and Kafka Streams
   * 4.1 does not survive such a topic being deleted under it (measured: a task committing its
   * position stopped the dispatcher; another run stalled it 15 s).
   */
  private List<String> agentTopics(String agentId) {
    return List.of(topics.agentCommands(agentId).name());
  }

  /** Retires every generation of the agent's credential below {@code generation} (idempotent). */
  Mono<Void> retireBelow(String agentId, int generation) {
    return retire(agentId, 1, generation);
  }

  /** Retires the generations {@code from} (inclusive) to {@code to} (exclusive) of the agent's credential. */
  Mono<Void> retire(String agentId, int from, int to) {
    if (!kafka.acls() || to <= from) {
      return Mono.empty();
    }
    return blocking(() -> {
      List<AclBindingFilter> filters = new ArrayList<>();
      List<String> principals = new ArrayList<>();
      for (int old = from; old < to; old++) {
        String principal = KafkaAccess.agentPrincipal(agentId, old);
        principals.add(principal);
        filters.add(KafkaAccess.ofPrincipal(principal));
      }
      KafkaCredentials.revoke(admin, filters, TIMEOUT);
      for (String principal : principals) {
        KafkaCredentials.delete(admin, principal, TIMEOUT);
      }
      return true;
    }).then();
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
