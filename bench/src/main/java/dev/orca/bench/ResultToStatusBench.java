package dev.orca.bench;

import dev.orca.dispatch.DeployDispatcher;
import dev.orca.dispatch.DispatcherSettings;
import dev.orca.schemas.Topic;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.DeploymentState;
import dev.orca.schemas.avro.HealthStatus;
import dev.orca.testsupport.SharedKafka;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What the dispatcher's relay costs an agent's result: from a DeployResult acknowledged on the
 * agent's events topic to the deployment's SUCCEEDED on status (through the relay into
 * agent-reports, then the dispatcher's Kafka Streams application), against the same result
 * written straight into agent-reports as the relay would write it (the dispatcher alone, as
 * before the relay existed), alternating, in the same run. Also the deploy request to its
 * DeployCommand (the dispatcher alone, the other way) and one Kafka hop as the baseline.
 */
final class ResultToStatusBench {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final int results;
  private final int warmup;
  private final int hops;

  ResultToStatusBench(int results, int warmup, int hops) {
    this.results = results;
    this.warmup = warmup;
    this.hops = hops;
  }

  Result run() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 3, (short) 1);
    String agentId = "bench-agent";
    Path dataDir = Files.createTempDirectory("orca-bench");
    Percentiles baseline = SyncToCommandBench.topicsAndBaseline(bootstrap, topics, topics.agentTopics(agentId), hops);
    try (KafkaProducer<byte[], byte[]> producer = SyncToCommandBench.producer(bootstrap);
         KafkaConsumer<byte[], byte[]> commands = SyncToCommandBench.consumer(bootstrap);
         KafkaConsumer<byte[], byte[]> status = SyncToCommandBench.consumer(bootstrap);
         DeployDispatcher dispatcher = DeployDispatcher.start(new DispatcherSettings(bootstrap, topics,
             dataDir.resolve("streams"), Duration.ofMinutes(5)))) {
      SyncToCommandBench.awaitRunning(dispatcher::isRunning, "deploy-dispatcher");
      Topic<String, SpecificRecord> commandTopic = topics.agentCommands(agentId);
      commands.subscribe(List.of(commandTopic.name()));
      status.subscribe(List.of(topics.status().name()));
      String app = "bench-app";
      int total = warmup + results;
      long[] requestToCommand = new long[results];
      long[] throughRelay = new long[results];
      long[] straight = new long[results];
      for (int i = 0; i < 2 * total; i++) {
        boolean viaRelay = i % 2 == 0;
        String digest = "d" + i;
        long asked = System.nanoTime();
        SyncToCommandBench.send(producer, topics.deployRequests(), app, DeployRequested.newBuilder()
            .setRequestId("r" + i).setApplicationId(app).setAgentId(agentId).setReason(DeployReason.SYNC)
            .setCommit("c" + i).setCompose("services: {}\n# " + digest + "\n").setDigest(digest)
            .setComposeChanged(true).setActor("bench").setAt(Instant.now()).build());
        DeployCommand command = SyncToCommandBench.await(commands, commandTopic, DeployCommand.class,
            c -> c.getCompose().contains(digest));
        long commanded = System.nanoTime() - asked;
        DeployResult result = DeployResult.newBuilder().setDeploymentId(command.getDeploymentId())
            .setApplicationId(app).setGeneration(command.getGeneration()).setSuccess(true)
            .setHealth(HealthStatus.HEALTHY).setAt(Instant.now()).build();
        long reported = System.nanoTime();
        if (viaRelay) {
          SyncToCommandBench.send(producer, topics.agentEvents(agentId), app, result);
        } else {
          // As the relay writes it: the agent named in the header.
          RecordHeaders headers = new RecordHeaders();
          headers.add(Topics.AGENT_HEADER, agentId.getBytes(StandardCharsets.UTF_8));
          producer.send(new ProducerRecord<>(topics.agentReports().name(), null,
              app.getBytes(StandardCharsets.UTF_8), topics.agentReports().values().serializer()
                  .serialize(topics.agentReports().name(), result), headers))
              .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        SyncToCommandBench.await(status, topics.status(), DeploymentChanged.class, c -> c.getState() == DeploymentState.SUCCEEDED
            && c.getDeploymentId().equals(command.getDeploymentId()));
        long latency = System.nanoTime() - reported;
        int sample = i / 2 - warmup;
        if (sample >= 0) {
          (viaRelay ? throughRelay : straight)[sample] = latency;
          if (viaRelay) {
            requestToCommand[sample] = commanded;
          }
        }
      }
      return new Result(baseline, Percentiles.of(requestToCommand), Percentiles.of(throughRelay),
          Percentiles.of(straight));
    } finally {
      SyncToCommandBench.deleteRecursively(dataDir);
    }
  }

  record Result(Percentiles kafkaHop, Percentiles requestToCommand, Percentiles throughRelay,
      Percentiles straight) {

    void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "%-58s %8s %10s %10s %10s %8s %8s%n", "metric", "samples", "p50 ms", "p99 ms",
          "mean ms", "p50/hop", "p99/hop");
      row(out, "baseline: one Kafka hop (produce -> consume)", kafkaHop);
      row(out, "DeployRequested -> DeployCommand (dispatcher)", requestToCommand);
      row(out, "DeployResult on agent-reports -> status (dispatcher alone)", straight);
      row(out, "DeployResult on the agent's events -> status (relay too)", throughRelay);
      out.printf(Locale.ROOT, "relay's share: p50 %.2f ms (%.2fx), p99 %.2f ms (%.2fx)%n",
          throughRelay.percentileMillis(50) - straight.percentileMillis(50),
          throughRelay.percentileMillis(50) / straight.percentileMillis(50),
          throughRelay.percentileMillis(99) - straight.percentileMillis(99),
          throughRelay.percentileMillis(99) / straight.percentileMillis(99));
    }

    private void row(PrintStream out, String name, Percentiles p) {
      out.printf(Locale.ROOT, "%-58s %8d %10.2f %10.2f %10.2f %8.1f %8.1f%n", name, p.count(),
          p.percentileMillis(50), p.percentileMillis(99), p.meanMillis(),
          p.percentileMillis(50) / kafkaHop.percentileMillis(50), p.percentileMillis(99) / kafkaHop.percentileMillis(99));
    }
  }
}
