package dev.orca.dispatch;

import dev.orca.dispatch.state.Outbound;
import dev.orca.dispatch.state.StateSerde;
import dev.orca.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * deploy-requests and agent-reports (every agent's results and heartbeats, copied by
 * AgentReportRelay) go through one stateful processor keyed by application id; its commands go to
 * the agent's commands topic, its events to status. Both inputs are co-partitioned by application
 * id, so one task owns an application.
 */
final class DispatchTopology {

  static final String STATE_STORE = "dispatch-state";
  /** Agents deleted, by id, with when: nothing is sent to them (each task keeps those it was told of). */
  static final String RETIRED_AGENTS_STORE = "retired-agents";

  private DispatchTopology() {}

  static Topology build(Topics topics, Clock clock, Duration deployTimeout) {
    return build(topics, clock, deployTimeout, new AgentLiveness(topics.partitions(), DEFAULT_HEARTBEAT_INTERVAL));
  }

  /** The heartbeat interval assumed for an agent not heard from yet (the agent's default). */
  static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  static Topology build(Topics topics, Clock clock, Duration deployTimeout, AgentLiveness liveness) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), new StateSerde()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RETIRED_AGENTS_STORE), Serdes.String(), Serdes.Long()));

    KStream<String, SpecificRecord> requests = builder.stream(topics.deployRequests().name(),
        topics.deployRequests().consumed().withName("deploy-requests"));
    KStream<String, SpecificRecord> agentEvents = builder.stream(topics.agentReports().name(),
        topics.agentReports().consumed().withName("agent-reports"));

    TopicNameExtractor<String, Outbound> agentCommandsTopic =
        (applicationId, outbound, context) -> topics.agentCommands(outbound.agentId()).name();

    requests.merge(agentEvents, Named.as("requests-and-results"))
        .process(() -> new DispatchProcessor(topics, clock, deployTimeout, liveness), Named.as("dispatch"), STATE_STORE,
            RETIRED_AGENTS_STORE)
        .split(Named.as("route-"))
        .branch((applicationId, outbound) -> outbound.isCommand(), Branched.<String, Outbound>withConsumer(
            commands -> commands.to(agentCommandsTopic,
                Produced.with(Serdes.String(), commandSerde(topics)).withName("agent-commands")),
            "commands"))
        .defaultBranch(Branched.<String, Outbound>withConsumer(
            events -> events.mapValues(Outbound::message, Named.as("status-message"))
                .to(topics.status().name(), topics.status().produced().withName("status")),
            "status"));
    return builder.build();
  }

  /** Writes only the command; the agent id has already chosen the topic. */
  private static Serde<Outbound> commandSerde(Topics topics) {
    Serializer<SpecificRecord> commands = topics.agentCommands("any").values().serializer();
    return Serdes.serdeFrom(
        (topic, outbound) -> outbound == null ? null : commands.serialize(topic, outbound.message()),
        (topic, bytes) -> {
          throw new UnsupportedOperationException("outbound commands are never read back");
        });
  }
}
