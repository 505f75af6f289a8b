package dev.orca.dispatch;

import dev.orca.dispatch.avro.ApplicationState;
import dev.orca.dispatch.deployment.DeployResults;
import dev.orca.dispatch.deployment.DeploymentRules;
import dev.orca.dispatch.removal.RemovalRules;
import dev.orca.dispatch.state.Effects;
import dev.orca.dispatch.state.Outbound;
import dev.orca.dispatch.state.RemovedMarker;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request or agent result to the deploy or removal rules over the application's
 * stored state; every second it times out what passed its deadline and purges week-old markers of
 * removed applications. The agent of a result or heartbeat is the one AgentReportRelay named in
 * its header (from the events topic it read it in); heartbeats feed agent liveness, and health
 * reports never arrive (the relay leaves them to the projector). An AgentRetired (once per partition) marks an agent
 * deleted: no command goes to it afterwards, from any rule.
 */
final class DispatchProcessor implements Processor<String, SpecificRecord, String, Outbound> {

  private static final Logger log = LoggerFactory.getLogger(DispatchProcessor.class);
  static final Duration PUNCTUATE_EVERY = Duration.ofSeconds(1);

  private final Topics topics;
  private final Clock clock;
  private final DeploymentRules deployments;
  private final DeployResults results = new DeployResults();
  private final RemovalRules removals = new RemovalRules();
  private final AgentLiveness liveness;
  private ProcessorContext<String, Outbound> context;
  private KeyValueStore<String, ApplicationState> store;
  private KeyValueStore<String, Long> retiredAgents;

  DispatchProcessor(Topics topics, Clock clock, Duration deployTimeout, AgentLiveness liveness) {
    this.topics = topics;
    this.clock = clock;
    this.deployments = new DeploymentRules(deployTimeout);
    this.liveness = liveness;
  }

  @Override
  public void init(ProcessorContext<String, Outbound> context) {
    this.context = context;
    this.store = context.getStateStore(DispatchTopology.STATE_STORE);
    this.retiredAgents = context.getStateStore(DispatchTopology.RETIRED_AGENTS_STORE);
    liveness.owned(context.taskId().partition(), clock.instant());
    context.schedule(PUNCTUATE_EVERY, PunctuationType.WALL_CLOCK_TIME, at -> expireDeadlines());
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    String applicationId = record.key();
    SpecificRecord message = record.value();
    if (applicationId == null || message == null) {
      log.warn("skipping record without key or value on {}", sourceTopic().orElse("?"));
      return;
    }
    if (message instanceof Heartbeat heartbeat) {
      sourceAgent(record).ifPresent(agentId -> liveness.heartbeat(agentId, heartbeat.getIntervalSeconds(), clock.instant()));
      return;
    }
    if (message instanceof HealthReport || message instanceof ImageUpdateFound) {
      return; // the projector's business
    }
    Instant now = clock.instant();
    if (message instanceof AgentRetired retirement) {
      retire(retirement.getAgentId(), now);
      return;
    }
    ApplicationState state = store.get(applicationId);
    if (message instanceof PinReleased released) {
      if (DeploymentRules.release(state)) {
        log.info("application {}: pin released by {}", applicationId, released.getActor());
        store.put(applicationId, state);
      }
      return;
    }
    ApplicationState next = state;
    Effects effects = new Effects();
    if (message instanceof DeployRequested request) {
      String previousAgent = state == null ? null : state.getAgentId();
      next = deployments.onRequested(state, request, now, effects);
      if (next != null && previousAgent != null && retiredReason(previousAgent).isPresent()) {
        // Moved off a deleted agent: nobody is left there to remove the stack.
        RemovalRules.cancelHandovers(next, previousAgent);
      }
      // Sent anyway: an agent back before the deadline applies it, and its result still wins.
      ApplicationState requested = next;
      retiredReason(request.getAgentId()).or(() -> liveness.offline(request.getAgentId(), now))
          .ifPresent(reason -> deployments.onAgentOffline(requested, reason, now, effects));
    } else if (message instanceof RemoveRequested request) {
      next = removals.onRequested(state, request, now, effects);
    } else if (message instanceof DeployResult result) {
      Optional<String> agent = sourceAgent(record);
      agent.ifPresent(agentId -> results.onResult(state, agentId, result, now, effects));
    } else if (message instanceof RemoveResult result) {
      Optional<String> agent = sourceAgent(record);
      if (agent.isPresent()) {
        next = removals.onResult(state, agent.get(), result, now, effects);
      }
    } else {
      log.warn("skipping unexpected {} on {}", message.getClass().getSimpleName(), sourceTopic().orElse("?"));
      return;
    }
    // A RemoveResult may change the state silently (a handover removal ending).
    if (next != null && (!effects.outbound().isEmpty() || next != state || message instanceof RemoveResult)) {
      store.put(applicationId, next);
    }
    forward(applicationId, effects, now);
  }

  /**
   * A deleted agent: remembered, so nothing is sent to it any more; what waited on it ends (its
   * handover removals, a removal in progress there); and the status topic hears that this task
   * took it in, so the gateway deletes the agent's topics once every task has.
   */
  private void retire(String agentId, Instant now) {
    boolean known = retiredAgents.get(agentId) != null;
    if (!known) {
      retiredAgents.put(agentId, now.toEpochMilli());
      log.info("agent {} was deleted: nothing more is sent to it", agentId);
    }
    List<KeyValue<String, ApplicationState>> changed = new ArrayList<>();
    List<KeyValue<String, Effects>> outputs = new ArrayList<>();
    try (KeyValueIterator<String, ApplicationState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ApplicationState> entry = all.next();
        Effects effects = new Effects();
        if (removals.onAgentRetired(entry.value, agentId, now, effects)) {
          changed.add(entry);
          outputs.add(KeyValue.pair(entry.key, effects));
        }
      }
    }
    changed.forEach(entry -> store.put(entry.key, entry.value));
    outputs.forEach(output -> forward(output.key, output.value, now));
    Effects seen = new Effects();
    seen.status(AgentRetirementSeen.newBuilder().setAgentId(agentId).setPartition(context.taskId().partition())
        .setPartitions(topics.partitions()).setAt(now).build());
    forward(agentId, seen, now);
  }

  private Optional<String> retiredReason(String agentId) {
    return agentId != null && retiredAgents.get(agentId) != null
        ? Optional.of("agent " + agentId + " was deleted") : Optional.empty();
  }

  private void expireDeadlines() {
    Instant now = clock.instant();
    List<KeyValue<String, ApplicationState>> expired = new ArrayList<>();
    List<KeyValue<String, Effects>> outputs = new ArrayList<>();
    List<String> purged = new ArrayList<>();
    try (KeyValueIterator<String, ApplicationState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ApplicationState> entry = all.next();
        if (RemovedMarker.isPurgeable(entry.value, now)) {
          purged.add(entry.key);
          continue;
        }
        Effects effects = new Effects();
        boolean deploymentTimedOut = deployments.onClock(entry.value, now, effects)
            || agentOffline(entry.value, now, effects);
        boolean removalTimedOut = removals.onClock(entry.value, now, effects);
        boolean handoverRetried = removals.retryHandovers(entry.value, now, effects);
        if (deploymentTimedOut || removalTimedOut || handoverRetried) {
          expired.add(entry);
          outputs.add(KeyValue.pair(entry.key, effects));
        }
      }
    }
    purged.forEach(store::delete);
    expired.forEach(entry -> store.put(entry.key, entry.value));
    outputs.forEach(output -> forward(output.key, output.value, now));
  }

  /** Fails the in-flight deployment of an application whose agent is known to be offline. */
  private boolean agentOffline(ApplicationState state, Instant now, Effects effects) {
    if (state.getCurrent() == null || state.getAgentId() == null) {
      return false;
    }
    Optional<String> reason = retiredReason(state.getAgentId()).or(() -> liveness.offline(state.getAgentId(), now));
    return reason.isPresent() && deployments.onAgentOffline(state, reason.get(), now, effects);
  }

  @Override
  public void close() {
    if (context != null) {
      liveness.released(context.taskId().partition());
    }
  }

  /**
   * Forwards the effects and, when there are any, asks for a commit at the end of this loop
   * rather than at the commit interval: under exactly-once, a command is invisible to its agent
   * until the transaction commits, and someone is waiting for it.
   */
  private void forward(String applicationId, Effects effects, Instant now) {
    for (Outbound outbound : effects.outbound()) {
      if (outbound.isCommand() && retiredAgents.get(outbound.agentId()) != null) {
        // Its topic is deleted, or about to be: a send there would stop this processor.
        log.info("not sending {} for application {} to agent {}: the agent was deleted",
            outbound.message().getClass().getSimpleName(), applicationId, outbound.agentId());
        continue;
      }
      context.forward(new Record<>(applicationId, outbound, now.toEpochMilli()));
    }
    if (!effects.outbound().isEmpty()) {
      context.commit();
    }
  }

  /**
   * The agent a report came from: the relay's header on agent-reports, which only the dispatcher
   * may write (the relay took it from the events topic's name, never from a payload).
   */
  private Optional<String> sourceAgent(Record<String, SpecificRecord> record) {
    Optional<String> agent = sourceTopic().filter(topics.agentReports().name()::equals)
        .map(topic -> record.headers().lastHeader(Topics.AGENT_HEADER))
        .filter(header -> header.value() != null)
        .map(header -> new String(header.value(), java.nio.charset.StandardCharsets.UTF_8))
        .filter(id -> Topics.AGENT_ID.matcher(id).matches());
    if (agent.isEmpty()) {
      log.warn("skipping agent report from {}: no agent named by the relay", sourceTopic().orElse("?"));
    }
    return agent;
  }

  private Optional<String> sourceTopic() {
    return context.recordMetadata().map(RecordMetadata::topic);
  }
}
