package dev.orca.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchOptionsTest {

  @Test
  void shouldDefaultTheWebhookBenchToEnoughRepositoriesForItsDeliveries() {
    WebhookIntakeBench.Options options = Bench.webhookOptions(new String[0]);
    assertThat(options).isEqualTo(new WebhookIntakeBench.Options(5000, 16, 200, 1000));
    // The defaults stay under the rate limit's burst, so the bench measures intake.
    assertThat(WebhookIntakeBench.deliveriesPerRepository(options.count() + options.warmup(), options.repositories()))
        .isLessThanOrEqualTo(WebhookIntakeBench.RATE_LIMIT_BURST);
  }

  @Test
  void shouldTakeTheWebhookBenchsOptions() {
    assertThat(Bench.webhookOptions(new String[] {"--count", "100", "--concurrency", "4", "--repositories", "10",
        "--warmup", "0"})).isEqualTo(new WebhookIntakeBench.Options(100, 4, 10, 0));
    assertThatThrownBy(() -> Bench.webhookOptions(new String[] {"--repositories", "0"}))
        .hasMessage("--repositories must be at least 1, not 0");
  }

  @Test
  void shouldListEachRepositoryOncePerClientUnlessACountIsGiven() {
    assertThat(Bench.lsRemoteOptions(new String[0])).isEqualTo(new LsRemoteBench.Options(2000, 2000, 8, 200));
    assertThat(Bench.lsRemoteOptions(new String[] {"--repositories", "50"}))
        .isEqualTo(new LsRemoteBench.Options(50, 50, 8, 200));
    assertThat(Bench.lsRemoteOptions(new String[] {"--repositories", "50", "--count", "120", "--concurrency", "2"}))
        .isEqualTo(new LsRemoteBench.Options(50, 120, 2, 200));
  }

  @Test
  void shouldDefaultTheDeployBenchToARunOfAFewMinutes(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("orca-agent-x-exec.jar"));
    assertThat(Bench.deployOptions(new String[] {"--agent-jar", jar.toString()}))
        .isEqualTo(new DeployBench.Options(10, 3, 50, 20, 2, 8, jar, false, null));
    assertThat(Bench.deployOptions(new String[] {"--agent-jar", jar.toString(), "--commits", "3", "--warmup", "0", "--stacks", "5",
        "--kills", "2", "--rounds", "1", "--concurrency", "4", "--keep", "--agent-jvm-options", "-Xmx64m"}))
        .isEqualTo(new DeployBench.Options(3, 0, 5, 2, 1, 4, jar, true, "-Xmx64m"));
  }

  @Test
  void shouldRefuseADeployBenchOptionItDoesNotKnowOrAnAgentJarThatIsNotThere(@TempDir Path dir) {
    assertThatThrownBy(() -> Bench.deployOptions(new String[] {"--applications", "50"}))
        .hasMessageStartingWith("unknown option --applications");
    assertThatThrownBy(() -> Bench.deployOptions(new String[] {"--agent-jar", dir.resolve("none.jar").toString()}))
        .hasMessageEndingWith("none.jar is not a file");
  }

  @Test
  void shouldRoundDeliveriesPerRepositoryUp() {
    assertThat(WebhookIntakeBench.deliveriesPerRepository(5500, 200)).isEqualTo(28);
    assertThat(WebhookIntakeBench.deliveriesPerRepository(5000, 200)).isEqualTo(25);
    assertThat(WebhookIntakeBench.deliveriesPerRepository(61, 1)).isEqualTo(61);
  }

  @Test
  void shouldDefaultTheProjectorBenchToTwentyThousandEventsOverAThousandApplications() {
    ProjectorBench.Options options = Bench.projectorOptions(new String[0]);
    assertThat(options).isEqualTo(new ProjectorBench.Options(20_000, 1000, true));
    assertThat(Bench.projectorOptions(new String[] {"--fsync", "off"}).durable()).isFalse();
    assertThatThrownBy(() -> Bench.projectorOptions(new String[] {"--fsync", "no"}))
        .hasMessage("--fsync takes on or off, not 'no'");
    assertThat(options.deploymentsPerApplication()).isEqualTo(5);
    assertThat(options.measuredEvents()).isEqualTo(20_000);
  }

  @Test
  void shouldRoundTheProjectorBenchsEventsDownToWholeDeploymentsButNeverToNone() {
    assertThat(Bench.projectorOptions(new String[] {"--events", "9000", "--applications", "1000"}).measuredEvents())
        .isEqualTo(8000);
    assertThat(Bench.projectorOptions(new String[] {"--events", "10", "--applications", "100"}).measuredEvents())
        .isEqualTo(400);
    assertThatThrownBy(() -> Bench.projectorOptions(new String[] {"--count", "10"}))
        .hasMessage("unknown option --count (this bench takes --applications, --events, --fsync)");
  }

  @Test
  void shouldTakeTheSseHeartbeatAndListBenchsOptions() {
    assertThat(Bench.sseOptions(new String[0])).isEqualTo(new SseFanOutBench.Options(1000, 200, 100));
    assertThat(Bench.sseOptions(new String[] {"--clients", "10", "--changes", "5", "--interval-ms", "50"}))
        .isEqualTo(new SseFanOutBench.Options(10, 5, 50));
    assertThat(Bench.heartbeatOptions(new String[0])).isEqualTo(new HeartbeatBench.Options(1000, 15, 4));
    assertThat(Bench.heartbeatOptions(new String[] {"--agents", "20", "--interval", "2", "--intervals", "3"}))
        .isEqualTo(new HeartbeatBench.Options(20, 2, 3));
    assertThat(Bench.listOptions(new String[0])).isEqualTo(new ListBench.Options(10_000, 30));
    assertThatThrownBy(() -> Bench.listOptions(new String[] {"--applications", "0"}))
        .hasMessage("--applications must be at least 1, not 0");
    assertThatThrownBy(() -> Bench.sseOptions(new String[] {"--clients"})).hasMessage("--clients needs a value");
  }
}
