package dev.orca.bench;

import dev.orca.schemas.Topic;
import dev.orca.schemas.TopicAdmin;
import dev.orca.schemas.Topics;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.SyncStream;
import dev.orca.sync.SyncStreamSettings;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedKafka;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Many polled repositories (2,000 by default) on a loopback git server plus one whose remote
 * accepts connections and never answers, through the real sync-stream: are the others still
 * polled on time? Every poll ends in a repository status; the gaps between one repository's polls
 * are compared with its interval once the first round is over. Also polls per second and CPU time
 * per poll of this JVM (broker, git server and sync-stream), and peak heap and RSS.
 */
final class PollingBench {

  private final int repositories;
  private final int intervalSeconds;
  private final int rounds;

  PollingBench(int repositories, int intervalSeconds, int rounds) {
    this.repositories = repositories;
    this.intervalSeconds = intervalSeconds;
    this.rounds = rounds;
  }

  record Result(int repositories, int intervalSeconds, double setupSeconds, long polls, double seconds,
      double cpuSeconds, Percentiles gaps, long late, long missed, List<String> hanging, MemoryPeak.Figures before,
      MemoryPeak.Figures peak) {
    void print(PrintStream out) {
      int cores = Runtime.getRuntime().availableProcessors();
      out.println();
      out.printf(Locale.ROOT, "set-up: %,d repositories with one commit each, and their applications: %.1f s%n",
          repositories, setupSeconds);
      out.printf(Locale.ROOT, "measured after the first round: %,d polls in %.1f s = %.1f polls/s (%.1f per core), "
          + "%.2f ms CPU per poll (whole JVM)%n", polls, seconds, polls / seconds, polls / seconds / cores,
          polls == 0 ? 0 : cpuSeconds * 1000 / polls);
      out.printf(Locale.ROOT, "gap between a repository's polls (interval %d s): p50 %.0f ms, p99 %.0f ms, max %.0f ms "
          + "over %d gaps%n", intervalSeconds, gaps.percentileMillis(50), gaps.percentileMillis(99),
          gaps.percentileMillis(100), gaps.count());
      out.printf(Locale.ROOT, "polled late (gap over interval + 1 s): %d; a round missed (gap over 1.5 intervals): %d%n",
          late, missed);
      out.printf(Locale.ROOT, "the hanging repository's poll outcomes: %s%n", hanging);
      out.printf(Locale.ROOT, "memory of this JVM: before sync-stream heap %d MB, RSS %d MB; peak heap %d MB, "
          + "peak RSS %d MB%n", before.heapMegabytes(), before.rssMegabytes(), peak.heapMegabytes(),
          peak.rssMegabytes());
    }
  }

  Result run() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 3, (short) 1);
    Path dataDir = Files.createTempDirectory("orca-bench");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicAdmin.ensure(admin, topics.sharedTopics(), Duration.ofSeconds(30));
    }
    Map<String, String> env = Map.of("ORCA_KAFKA_BOOTSTRAP", bootstrap, "ORCA_DATA_DIR", dataDir.toString(),
        "ORCA_ALLOW_LOCAL_GIT", "true", "ORCA_TOPIC_PREFIX", topics.prefix());
    try (GitServer git = GitServer.start();
         ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         KafkaProducer<byte[], byte[]> producer = SyncToCommandBench.producer(bootstrap);
         KafkaConsumer<byte[], byte[]> statuses = SyncToCommandBench.consumer(bootstrap)) {
      long setupStarted = System.nanoTime();
      Instant now = Instant.now();
      long revision = 0;
      String hangingId = "hanging";
      for (int i = 0; i <= repositories; i++) {
        String id = i == repositories ? hangingId : String.format("poll-%05d", i);
        String url;
        if (i == repositories) {
          url = "http://127.0.0.1:" + silent.getLocalPort() + "/git/hanging";
        } else {
          GitRepo repo = git.createRepository(id);
          repo.commit("compose.yaml", "services: {}\n", "compose");
          url = repo.url();
        }
        producer.send(topics.configRepositories().record(id, RepositoryConfig.newBuilder().setId(id)
            .setRevision(++revision).setUrl(url).setProvider("generic").setAuthMethod("none").setSyncType("polling")
            .setPollingIntervalSeconds(intervalSeconds).setUpdatedAt(now).build()));
        producer.send(topics.configApplications().record("app-" + id, ApplicationConfig.newBuilder()
            .setId("app-" + id).setRevision(++revision).setRepositoryId(id).setAgentId("bench-agent")
            .setBranch("main").setPath("compose.yaml").setUpdatedAt(now).build()));
      }
      producer.flush();
      double setupSeconds = (System.nanoTime() - setupStarted) / 1e9;
      statuses.subscribe(List.of(topics.status().name()));
      Topic<String, SpecificRecord> statusTopic = topics.status();
      MemoryPeak.Figures before = MemoryPeak.now();
      try (MemoryPeak memory = new MemoryPeak();
           SyncStream sync = SyncStream.start(SyncStreamSettings.fromEnvironment(env))) {
        if (!sync.awaitRunning(Duration.ofMinutes(2))) {
          throw new IllegalStateException("sync-stream did not reach RUNNING");
        }
        Map<String, Long> lastPoll = new HashMap<>();
        List<Long> gaps = new ArrayList<>();
        List<String> hanging = new ArrayList<>();
        long firstRoundEnd = System.nanoTime() + Duration.ofSeconds(intervalSeconds).toNanos();
        long end = firstRoundEnd + Duration.ofSeconds((long) intervalSeconds * rounds).toNanos();
        long polls = 0;
        double cpuAtStart = 0;
        boolean measuring = false;
        while (System.nanoTime() < end) {
          if (!measuring && System.nanoTime() >= firstRoundEnd) {
            measuring = true;
            cpuAtStart = ProcStat.of(ProcessHandle.current().pid()).cpuSeconds();
          }
          for (ConsumerRecord<byte[], byte[]> r : statuses.poll(Duration.ofMillis(50))) {
            if (!(statusTopic.value(r.value()) instanceof RepositoryStatusChanged status)
                || status.getTrigger() != SyncTrigger.POLLING || status.getStatus() == RepositorySyncStatus.SYNCING) {
              continue;
            }
            long at = System.nanoTime();
            if (status.getRepositoryId().equals(hangingId)) {
              hanging.add(status.getStatus() + (status.getLastSyncError() == null ? ""
                  : " (" + status.getLastSyncError() + ")"));
              continue;
            }
            Long previous = lastPoll.put(status.getRepositoryId(), at);
            if (measuring) {
              polls++;
              if (previous != null && previous >= firstRoundEnd - Duration.ofSeconds(intervalSeconds).toNanos()) {
                gaps.add(at - previous);
              }
            }
          }
        }
        double seconds = Duration.ofSeconds((long) intervalSeconds * rounds).toNanos() / 1e9;
        double cpu = ProcStat.of(ProcessHandle.current().pid()).cpuSeconds() - cpuAtStart;
        long interval = Duration.ofSeconds(intervalSeconds).toNanos();
        long late = gaps.stream().filter(g -> g > interval + Duration.ofSeconds(1).toNanos()).count();
        long missed = gaps.stream().filter(g -> g > interval * 3 / 2).count();
        // A repository never polled while measuring missed every round.
        missed += repositories - lastPoll.size();
        return new Result(repositories, intervalSeconds, setupSeconds, polls, seconds, cpu,
            Percentiles.of(gaps.stream().mapToLong(Long::longValue).toArray()), late, missed, hanging, before,
            memory.peak());
      }
    } finally {
      SyncToCommandBench.deleteRecursively(dataDir);
    }
  }
}
