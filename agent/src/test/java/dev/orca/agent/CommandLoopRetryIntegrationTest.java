package dev.orca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.orca.agent.command.CommandLoop;
import dev.orca.agent.compose.Container;
import dev.orca.agent.compose.DeployOutcome;
import dev.orca.agent.compose.DeploymentsDir;
import dev.orca.agent.compose.RemoveOutcome;
import dev.orca.agent.events.EventPublisher;
import dev.orca.agent.events.PublishException;
import dev.orca.agent.events.ResultWriter;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.RemoveResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command loop when a result cannot be written, on a real broker with two command partitions. */
class CommandLoopRetryIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path deployments;
  private final AgentTopics kafka = new AgentTopics(2);
  private final FakeRuntime runtime = new FakeRuntime();
  private EventPublisher publisher;
  private CommandLoop loop;
  private Thread thread;

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      loop.stop();
      thread.join(10_000);
    }
    if (publisher != null) {
      publisher.close();
    }
    kafka.close();
  }

  @Test
  void shouldHandleTheOtherPartitionsRecordsOfTheSamePollWhenAResultCannotBeWritten() {
    runtime.deployOutcome = DeployOutcome.ready(List.of(
        new Container("app-a-cache-2", "cache", "running", "healthy", "registry.test/cache:3")));
    runtime.removeOutcome = RemoveOutcome.failed("compose down failed: app-b is busy");
    // Both are on the topic before the loop starts, so its first poll returns them together.
    kafka.send(0, "app-a", AgentCommandsIntegrationTest.deploy("d-a", "app-a", 1, "ca",
        AgentCommandsIntegrationTest.inMinutes(5)));
    kafka.send(1, "app-b", AgentCommandsIntegrationTest.remove("r-b", "app-b",
        AgentCommandsIntegrationTest.inMinutes(5)));
    publisher = new EventPublisher(kafka.bootstrap(), kafka.topics.agentEvents(kafka.agentId), "test-events");
    start(new FailsOnce(publisher));

    DeployResult deployed = kafka.await(DeployResult.class, r -> r.getDeploymentId().equals("d-a"), WAIT);
    RemoveResult removed = kafka.await(RemoveResult.class, r -> r.getRequestId().equals("r-b"), WAIT);

    assertThat(deployed.getContainers()).extracting(c -> c.getName(), c -> c.getHealth())
        .containsExactly(tuple("app-a-cache-2", "healthy"));
    assertThat(removed.getSuccess()).isFalse();
    assertThat(removed.getError()).isEqualTo("compose down failed: app-b is busy");
    await().atMost(WAIT).until(() -> kafka.committedOffset(groupId(), 0) == 1
        && kafka.committedOffset(groupId(), 1) == 1);
    assertThat(runtime.calls).extracting(FakeRuntime.Call::applicationId).contains("app-a", "app-b");
  }

  private void start(ResultWriter results) {
    loop = new CommandLoop(kafka.bootstrap(), groupId(), kafka.topics.agentCommands(kafka.agentId), runtime,
        new DeploymentsDir(deployments), results, 4, null);
    thread = new Thread(loop, "test-commands");
    thread.start();
  }

  private String groupId() {
    return "orca.agent-" + kafka.agentId;
  }

  /** The real publisher, except that the first result is refused as a broker hiccup would. */
  private static final class FailsOnce implements ResultWriter {
    private final ResultWriter delegate;
    private final AtomicBoolean failed = new AtomicBoolean();

    FailsOnce(ResultWriter delegate) {
      this.delegate = delegate;
    }

    @Override
    public void publish(String key, SpecificRecord value) {
      if (failed.compareAndSet(false, true)) {
        throw new PublishException("simulated broker hiccup", null);
      }
      delegate.publish(key, value);
    }
  }
}
