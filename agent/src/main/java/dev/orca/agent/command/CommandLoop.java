package dev.orca.agent.command;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.compose.Drift;
import dev.orca.agent.health.Baselines;
import dev.orca.agent.events.ResultWriter;
import dev.orca.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code agent.<id>.commands} (read_committed, manual commits) and hands each command to
 * its application's lane ({@link ApplicationLanes}): applications are applied concurrently, each
 * one's commands in order. An offset is committed only after its command's result was written
 * and every earlier offset of its partition is finished too: at-least-once, with repeats made
 * harmless by {@link CommandHandler}. Records are decoded here with the topic's serdes so a
 * poison record is logged with its position and skipped. Only this thread uses the consumer.
 */
public final class CommandLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
  /** Commands handed out and not finished beyond which the loop stops fetching more. */
  private static final int MAX_UNFINISHED = 1_000;

  private final Topic<String, SpecificRecord> commands;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ApplicationLanes lanes;
  private final DeploymentStateStore state;
  private final SelfHealLimit selfHealLimit = new SelfHealLimit();
  private final OffsetTracker offsets = new OffsetTracker();
  private final ConcurrentLinkedQueue<ApplicationLanes.Work> finished = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private boolean paused;

  /** {@code environmentKey}: ORCA_AGENT_ENVIRONMENT_KEY, null when the agent has none. */
  public CommandLoop(String bootstrap, String groupId, Topic<String, SpecificRecord> commands,
      ComposeRuntime runtime, DeploymentsDir dirs, ResultWriter events, int concurrency, byte[] environmentKey) {
    this(bootstrap, KafkaSecurity.plaintext(), groupId, commands, runtime, dirs, events, concurrency, environmentKey);
  }

  public CommandLoop(String bootstrap, KafkaSecurity security, String groupId, Topic<String, SpecificRecord> commands,
      ComposeRuntime runtime, DeploymentsDir dirs, ResultWriter events, int concurrency, byte[] environmentKey) {
    this.commands = commands;
    this.state = new DeploymentStateStore(dirs);
    CommandHandler handler = new CommandHandler(runtime, state, events, Clock.systemUTC(),
        new EnvironmentKey(environmentKey));
    this.lanes = new ApplicationLanes(handler, concurrency, finished::add);
    Properties props = security.applyTo(new Properties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
    // Static membership: an agent restarted (or killed and started again) takes its partitions
    // back at once instead of waiting for the broker to expire its old member (45 s); when a
    // second process starts with the same agent id, the older one is fenced rather than both
    // taking the commands.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(props);
  }

  /**
   * The commands topic's partitions as the broker describes them to this agent: proves its
   * credential is accepted and it may read its commands, without joining its group (which would
   * fence a running agent with the same id). For {@code --check}, before or instead of {@link #run}.
   */
  public int commandPartitions(Duration timeout) {
    return consumer.partitionsFor(commands.name(), timeout).size();
  }

  /** Closes the consumer of a loop that was never run. */
  public void closeUnstarted() {
    consumer.close(Duration.ofSeconds(2));
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(commands.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          commitFinished();
          partitions.forEach(offsets::forget);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
      });
      while (running) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          for (ConsumerRecord<byte[], byte[]> record : records) {
            dispatch(record);
          }
          commitFinished();
          applyBackpressure();
        } catch (WakeupException | InterruptException e) {
          if (running) {
            log.error("Command loop interrupted unexpectedly; stopping", e);
          }
          return;
        } catch (FencedInstanceIdException e) {
          log.error("Another agent process started with this agent's id and took over its commands; this one stops"
              + " taking commands: {}", e.getMessage());
          running = false; // no self-heal is queued any more either
          return;
        } catch (AuthenticationException e) {
          log.error("The broker refused this agent: {}. {}", e.getMessage(), why(e));
          running = false;
          return;
        } catch (AuthorizationException e) {
          log.error("The broker does not let this agent read its commands ({}): its credential was rotated or the"
              + " agent deleted in Orca. Start it with its current connection settings.", e.getMessage());
          running = false;
          return;
        } catch (KafkaException e) {
          log.error("Command loop error; going on from the last committed offsets: {}", e.getMessage(), e);
          pause();
        }
      }
    } finally {
      lanes.stop(Duration.ofSeconds(3));
      Thread.interrupted(); // the last commit and close() must not be cut short by the stop signal
      try {
        commitFinished();
      } catch (RuntimeException e) {
        log.debug("Last commit on stop failed: {}", e.getMessage());
      }
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (KafkaException e) {
        // An agent deleted (or rotated) while it ran may no longer leave its group: nothing to undo.
        log.debug("Closing the command consumer failed: {}", e.getMessage());
      }
    }
  }

  /** What to do about a refused connection, in the words of the agent's settings. */
  public static String why(AuthenticationException e) {
    if (e instanceof SslAuthenticationException) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return "The broker's certificate is not one this agent trusts (" + root.getMessage() + "): ORCA_KAFKA_CA_CERT"
          + " must be the CA of the agent's connection settings, and ORCA_KAFKA_BOOTSTRAP the address they name.";
    }
    return "Its user name or password (ORCA_KAFKA_USERNAME, ORCA_KAFKA_PASSWORD) is not accepted: the token was"
        + " rotated (use the connection settings the rotation showed) or the agent was deleted.";
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    offsets.started(partition, record.offset());
    SpecificRecord command = decode(record);
    String applicationId = record.key() == null ? null : commands.keys().deserializer().deserialize(record.topic(), record.key());
    if (command == null || applicationId == null) {
      offsets.finished(partition, record.offset());
      return;
    }
    lanes.submit(new ApplicationLanes.Work(partition, record.offset(), applicationId, command));
  }

  /** Commits, per partition, the offset below which every command is finished. */
  private void commitFinished() {
    for (ApplicationLanes.Work done; (done = finished.poll()) != null; ) {
      if (done.partition() != null) {
        offsets.finished(done.partition(), done.offset());
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commit = offsets.toCommit();
    if (commit.isEmpty()) {
      return;
    }
    Set<TopicPartition> assigned = consumer.assignment();
    commit.keySet().retainAll(assigned);
    if (!commit.isEmpty()) {
      consumer.commitSync(commit, COMMIT_TIMEOUT);
      offsets.committed(commit);
    }
  }

  /** Stops fetching while too many commands wait, so a burst never fills the memory. */
  private void applyBackpressure() {
    int unfinished = offsets.unfinished();
    if (!paused && unfinished >= MAX_UNFINISHED) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && unfinished < MAX_UNFINISHED / 2) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  /** The command, or null for a tombstone or a poison record (logged, then committed past). */
  private SpecificRecord decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return record.value() == null ? null : commands.value(record.value());
    } catch (SerializationException e) {
      log.error("Skipping unreadable record at {}-{} offset {}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return null;
    }
  }

  private void pause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /**
   * What the health monitor measures drift against: the last successful deployment's baseline of
   * an application with no command queued or running; drift asks for a self-heal where the
   * application opted in, within {@link SelfHealLimit}.
   */
  public Baselines baselines() {
    return new Baselines() {
      @Override
      public Optional<Map<String, Drift.Expected>> baseline(String applicationId) {
        if (lanes.busy(applicationId)) {
          return Optional.empty();
        }
        return state.read(applicationId).map(DeploymentStateStore.Applied::baseline);
      }

      @Override
      public boolean lastDeploymentFailed(String applicationId) {
        return !lanes.busy(applicationId)
            && state.read(applicationId).map(applied -> applied.baseline() == null).orElse(false);
      }

      @Override
      public void drifted(String applicationId, String what) {
        Optional<DeploymentStateStore.Applied> applied = state.read(applicationId);
        if (applied.isEmpty() || !applied.get().selfHeal() || lanes.busy(applicationId) || !running) {
          return;
        }
        if (selfHealLimit.allow(applicationId, Instant.now())) {
          log.info("{} drifted ({}): self-heal queued", applicationId, what);
          lanes.submit(new ApplicationLanes.Work(null, -1, applicationId, new CommandHandler.Heal(applicationId)));
        }
      }
    };
  }

  /**
   * What the image check needs of an application: its last deployment when it succeeded, asks
   * for image checks and has no command queued or running.
   */
  public java.util.function.Function<String, Optional<dev.orca.agent.images.ImageChecker.Subject>> imageSubjects() {
    return applicationId -> {
      if (lanes.busy(applicationId) || !running) {
        return Optional.empty();
      }
      return state.read(applicationId)
          .filter(applied -> applied.baseline() != null && applied.imagePollSeconds() != null
              && applied.imagePollSeconds() > 0 && applied.project() != null)
          .map(applied -> new dev.orca.agent.images.ImageChecker.Subject(applied.deploymentId(), applied.project(),
              java.time.Duration.ofSeconds(applied.imagePollSeconds())));
    };
  }

  /** Commands handed to the application lanes and not finished yet (queued or running). */
  /**
   * Binds the command consumer's meters (its lag among them: commands the broker holds that the
   * agent has not read) and the commands waiting here, to the agent's metrics.
   */
  public void bindMetrics(dev.orca.schemas.metrics.MetricsEndpoint metrics) {
    metrics.follow(consumer);
    io.micrometer.core.instrument.Gauge.builder("orca.agent.commands.queued", this, CommandLoop::queued)
        .description("Commands received and not finished yet (waiting behind their application's, or running)")
        .register(metrics.registry());
  }

  public int queued() {
    return lanes.queued();
  }

  /** Stops polling; commands in progress are interrupted and will be redelivered. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }
}
