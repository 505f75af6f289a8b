package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.Heartbeat;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class TopicsTest {

  private final Topics topics = new Topics("orca.", 3, (short) 1);

  @Test
  void shouldNameAgentTopicsFromTheAgentIdAndFindTheAgentBackFromTheName() {
    Topic<String, SpecificRecord> events = topics.agentEvents("a1b2-c3");
    assertThat(topics.agentCommands("a1b2-c3").name()).isEqualTo("orca.agent.a1b2-c3.commands");
    assertThat(events.name()).isEqualTo("orca.agent.a1b2-c3.events");
    assertThat(topics.agentOfEventsTopic(events.name())).contains("a1b2-c3");
    assertThat(topics.agentOfEventsTopic("orca.agent.a1b2-c3.commands")).isEmpty();
    assertThat(topics.agentOfEventsTopic("other.agent.x.events")).isEmpty();
    assertThat(topics.agentEventsPattern().matcher(events.name()).matches()).isTrue();
  }

  @Test
  void shouldLineAgentReportsUpWithDeployRequestsAndKeepThemOutOfTheAgentsPattern() {
    var byName = topics.sharedTopics().stream()
        .collect(java.util.stream.Collectors.toMap(org.apache.kafka.clients.admin.NewTopic::name, t -> t));
    assertThat(byName.get("orca.agent-reports").numPartitions())
        .isEqualTo(byName.get("orca.deploy-requests").numPartitions());
    // Nothing shared is read as some agent's events.
    assertThat(topics.sharedTopics()).noneMatch(t -> topics.agentEventsPattern().matcher(t.name()).matches());
  }

  @Test
  void shouldTellAnAgentEventsTypeWithoutDecodingIt() {
    byte[] heartbeat = topics.agentEventCodec().encode(dev.orca.schemas.avro.Heartbeat.newBuilder().setAgentId("a")
        .setDockerAvailable(true).setAgentVersion("1").setIntervalSeconds(15).setAt(java.time.Instant.EPOCH).build());
    assertThat(topics.agentEventCodec().typeOf(heartbeat)).contains(dev.orca.schemas.avro.Heartbeat.class);
    assertThat(topics.agentEventCodec().typeOf("not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEmpty();
    byte[] unknown = heartbeat.clone();
    unknown[5] ^= 0x5a; // another fingerprint
    assertThat(topics.agentEventCodec().typeOf(unknown)).isEmpty();
  }

  @Test
  void shouldRefuseAgentIdsThatCouldEscapeTheirTopic() {
    assertThatThrownBy(() -> topics.agentCommands("x.events")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> topics.agentCommands("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCarrySeveralMessageTypesOnOneTopic() {
    Topic<String, SpecificRecord> commands = topics.agentCommands("agent-1");
    DeployCommand command = DeployCommand.newBuilder().setDeploymentId("d1").setApplicationId("app")
        .setGeneration(3).setProject("orca-app").setCompose("services: {}").setEnv(Map.of("A", "b"))
        .setDeadline(Instant.ofEpochMilli(2000)).setAt(Instant.ofEpochMilli(1000)).build();
    byte[] bytes = commands.values().serializer().serialize(commands.name(), command);
    assertThat(commands.values().deserializer().deserialize(commands.name(), bytes)).isEqualTo(command);

    Topic<String, SpecificRecord> events = topics.agentEvents("agent-1");
    Heartbeat beat = Heartbeat.newBuilder().setAgentId("agent-1").setDockerAvailable(false)
        .setMessage("no engine").setAgentVersion("dev").setIntervalSeconds(15)
        .setAt(Instant.ofEpochMilli(5)).build();
    bytes = events.values().serializer().serialize(events.name(), beat);
    assertThat(events.values().deserializer().deserialize(events.name(), bytes)).isEqualTo(beat);
    assertThat(events.values().serializer().serialize(events.name(), null)).isNull();
  }

  @Test
  void shouldDecodeNestedRecordsWithoutTrustedPackageSettings() {
    Topic<String, SpecificRecord> events = topics.agentEvents("agent-1");
    dev.orca.schemas.avro.DeployResult result = dev.orca.schemas.avro.DeployResult.newBuilder()
        .setDeploymentId("d").setApplicationId("a").setGeneration(1).setSuccess(true)
        .setHealth(dev.orca.schemas.avro.HealthStatus.HEALTHY)
        .setContainers(java.util.List.of(dev.orca.schemas.avro.ContainerState.newBuilder()
            .setName("c").setService("web").setState("running").build()))
        .setAt(Instant.EPOCH).build();
    byte[] bytes = events.values().serializer().serialize(events.name(), result);
    assertThat(events.values().deserializer().deserialize(events.name(), bytes)).isEqualTo(result);
  }

  @Test
  void shouldRefuseAMessageOfAnotherTopic() {
    Topic<String, SpecificRecord> events = topics.agentEvents("agent-1");
    DeployCommand command = DeployCommand.newBuilder().setDeploymentId("d1").setApplicationId("app")
        .setGeneration(3).setProject("p").setCompose("").setDeadline(Instant.EPOCH).setAt(Instant.EPOCH).build();
    byte[] bytes = topics.agentCommands("agent-1").values().serializer().serialize("t", command);
    assertThatThrownBy(() -> events.values().deserializer().deserialize(events.name(), bytes))
        .isInstanceOf(MessageFormatException.class);
  }

  @Test
  void shouldGiveAKeyForEveryPartitionAsTheProducerPartitionsThem() {
    for (int partitions : new int[] {1, 3, 6, 12}) {
      java.util.List<String> keys = new Topics("orca.", partitions, (short) 1).keyPerPartition("agent-1");
      assertThat(keys).hasSize(partitions).doesNotHaveDuplicates().allMatch(k -> k.startsWith("agent-1/"));
      for (int partition = 0; partition < partitions; partition++) {
        byte[] key = keys.get(partition).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(key, partitions))
            .as("partition of %s among %d", keys.get(partition), partitions).isEqualTo(partition);
      }
    }
  }
}
