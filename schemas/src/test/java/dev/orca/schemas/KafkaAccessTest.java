package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class KafkaAccessTest {

  private final Topics topics = new Topics("acme.", 3, (short) 1);
  private final KafkaAccess.Principals principals = KafkaAccess.Principals.defaults();

  @Test
  void shouldLetAnAgentReadItsCommandsInItsGroupAndWriteItsEventsAndNothingElse() {
    List<AclBinding> own = KafkaAccess.agentOwn(topics, "a1", "orca-agent-a1-1");
    assertThat(own).extracting(b -> b.pattern().resourceType() + " " + b.pattern().name() + " "
            + b.pattern().patternType() + " " + b.entry().operation() + " " + b.entry().principal())
        .containsExactlyInAnyOrder(
            "TOPIC acme.agent.a1.commands LITERAL READ User:orca-agent-a1-1",
            "TOPIC acme.agent.a1.events LITERAL WRITE User:orca-agent-a1-1",
            "GROUP acme.agent-a1 LITERAL READ User:orca-agent-a1-1");
  }

  @Test
  void shouldNameEveryAgentTopicLiterallyForTheComponentsToo() {
    List<AclBinding> all = KafkaAccess.agent(topics, principals, "a1", "orca-agent-a1-1");
    assertThat(all).allSatisfy(b -> assertThat(b.pattern().patternType()).isEqualTo(PatternType.LITERAL));
    assertThat(all).filteredOn(b -> b.entry().principal().equals("User:orca-deploy-dispatcher"))
        .extracting(b -> b.pattern().name() + " " + b.entry().operation())
        .containsExactlyInAnyOrder("acme.agent.a1.commands WRITE", "acme.agent.a1.events READ");
    assertThat(all).filteredOn(b -> b.entry().principal().equals("User:orca-gateway"))
        .extracting(b -> b.pattern().name() + " " + b.entry().operation())
        .containsExactlyInAnyOrder("acme.agent.a1.events READ", "acme.agent.a1.events DELETE",
            "acme.agent.a1.commands DELETE");
  }

  @Test
  void shouldKeepComponentsToTheirOwnTopics() {
    Map<String, List<AclBinding>> components = KafkaAccess.components(topics, principals);
    // sync-stream reads and writes no agent topic; it reads what it syncs and writes what it produces.
    assertThat(components.get("orca-sync-stream")).noneMatch(b -> b.pattern().name().startsWith("acme.agent.")
            && b.entry().operation() != AclOperation.CREATE && b.entry().operation() != AclOperation.DESCRIBE)
        .filteredOn(b -> b.entry().operation() == AclOperation.READ && b.pattern().resourceType() == ResourceType.TOPIC)
        .extracting(b -> b.pattern().name())
        .containsExactlyInAnyOrder("acme.sync-requests", "acme.config.repositories", "acme.config.applications");
    // Nobody but the gateway may manage credentials and ACLs (ALTER on the cluster).
    components.forEach((principal, bindings) -> assertThat(bindings.stream()
        .anyMatch(b -> b.pattern().resourceType() == ResourceType.CLUSTER && b.entry().operation() == AclOperation.ALTER))
        .as(principal).isEqualTo(principal.equals("orca-gateway")));
    // Only the dispatcher and the gateway's projector (keeping what each deployment ran, for
    // rollbacks) read deploy-requests: compose files travel there.
    components.forEach((principal, bindings) -> assertThat(bindings.stream()
        .anyMatch(b -> b.pattern().name().equals("acme.deploy-requests") && b.entry().operation() == AclOperation.READ))
        .as(principal).isEqualTo(principal.equals("orca-deploy-dispatcher") || principal.equals("orca-gateway")));
    // Only the dispatcher writes agent-reports: the agent a report names there is the one whose topic
    // its relay read it from.
    components.forEach((principal, bindings) -> assertThat(bindings.stream()
        .anyMatch(b -> b.pattern().name().equals("acme.agent-reports") && b.entry().operation() == AclOperation.WRITE))
        .as(principal).isEqualTo(principal.equals("orca-deploy-dispatcher")));
    assertThat(components.get("orca-deploy-dispatcher"))
        .extracting(b -> b.pattern().resourceType() + " " + b.pattern().name() + " " + b.entry().operation())
        .contains("GROUP acme.deploy-dispatcher-relay READ", "TOPIC acme.agent-reports READ");
    // The gateway waits for the relay to have read a deleted agent's events before deleting them.
    assertThat(components.get("orca-gateway"))
        .extracting(b -> b.pattern().resourceType() + " " + b.pattern().name() + " " + b.entry().operation())
        .contains("GROUP acme.deploy-dispatcher-relay DESCRIBE");
  }
}
