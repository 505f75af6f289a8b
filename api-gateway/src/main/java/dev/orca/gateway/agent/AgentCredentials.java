package dev.orca.gateway.agent;

import dev.orca.gateway.kafka.GatewayKafka;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaCredentials;
import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
   * The components' grants on the agent's topics, without a credential of its own: an agent restored
   * from an export onto another broker, which gets its credential when an admin rotates its token.
   */
  Mono<Void> grantComponents(String agentId) {
    if (!kafka.acls()) {
      return Mono.empty();
    }
    return blocking(() -> {
      KafkaCredentials.grant(admin, KafkaAccess.agentComponents(topics, kafka.principals(), agentId), TIMEOUT);
      return true;
    }).then();
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
  Mono<Void> deleteCommandsTopic(String agentId) {
    return blocking(() -> {
      TopicAdmin.delete(admin, List.of(topics.agentCommands(agentId).name()), TIMEOUT);
      return true;
    }).then();
  }

  /** A deleted agent's events topic (idempotent). */
  Mono<Void> deleteEventsTopic(String agentId) {
    return blocking(() -> {
      TopicAdmin.delete(admin, List.of(topics.agentEvents(agentId).name()), TIMEOUT);
      return true;
    }).then();
  }

  /**
   * Whether the groups reading agents' events, the dispatcher's relay and the projector, have
   * committed every record of the deleted agent's events topic (nobody may write it any more): a
   * result not yet read would be lost with the topic. True when the topic is gone.
   */
  Mono<Boolean> eventsRead(String agentId) {
    return blocking(() -> {
      String events = topics.agentEvents(agentId).name();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      try {
        TopicDescription description = admin.describeTopics(List.of(events)).allTopicNames()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(events);
        for (TopicPartitionInfo info : description.partitions()) {
          TopicPartition partition = new TopicPartition(events, info.partition());
          latest.put(partition, OffsetSpec.latest());
          earliest.put(partition, OffsetSpec.earliest());
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          return true;
        }
        throw e;
      }
      var ends = admin.listOffsets(latest).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      var starts = admin.listOffsets(earliest).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      for (String group : eventReaders()) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (committed.isEmpty() && group.equals(KafkaAccess.dispatcherRelayGroup(topics))) {
          // Not one commit yet: no relay of this version has run (a dispatcher of an earlier one
          // may still read the topic by pattern, and would not survive it deleted).
          return false;
        }
        for (var end : ends.entrySet()) {
          long last = end.getValue().offset();
          OffsetAndMetadata read = committed.get(end.getKey());
          if (last > starts.get(end.getKey()).offset() && (read == null || read.offset() < last)) {
            return false;
          }
        }
      }
      return true;
    });
  }

  /**
   * Whether a consumer of a group reading agents' events may still commit offsets of a deleted
   * agent's events topic: a member has one of its partitions assigned, or a group is between
   * assignments (its members' assignments are then not yet what they will own). A group that
   * never existed holds nothing.
   */
  Mono<Boolean> stillConsumed(String agentId) {
    return blocking(() -> {
      String events = topics.agentEvents(agentId).name();
      var described = admin.describeConsumerGroups(eventReaders()).describedGroups();
      for (var group : described.values()) {
        ConsumerGroupDescription description;
        try {
          description = group.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof GroupIdNotFoundException) {
            continue;
          }
          throw e;
        }
        if (!SETTLED.contains(description.groupState())) {
          return true;
        }
        boolean assigned = description.members().stream()
            .flatMap(member -> member.assignment().topicPartitions().stream())
            .anyMatch(partition -> partition.topic().equals(events));
        if (assigned) {
          return true;
        }
      }
      return false;
    });
  }

  private static final Set<GroupState> SETTLED = EnumSet.of(GroupState.STABLE, GroupState.EMPTY, GroupState.DEAD);

  /** The consumer groups that read every agent's events topic. */
  private List<String> eventReaders() {
    return List.of(KafkaAccess.dispatcherRelayGroup(topics), KafkaAccess.projectorGroup(topics));
  }

  /** Every grant left on a deleted agent's topics and its group, whoever holds it. */
  Mono<Void> revokeTopicGrants(String agentId) {
    if (!kafka.acls()) {
      return Mono.empty();
    }
    return blocking(() -> {
      KafkaCredentials.revoke(admin, KafkaAccess.onAgent(topics, agentId), TIMEOUT);
      return true;
    }).then();
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
