package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orca.testsupport.DockerDaemon;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SPEC rule 13 for the broker: Orca on a Kafka broker of its own, which is stopped while the agent
 * waits for a deployment's stack to turn ready, kept down past that moment, and started again on
 * the same log directory. The deployment's result still reaches the API, the stack is applied once
 * (its container is the one created before the restart), and the pipeline goes on deploying
 * afterwards.
 */
class BrokerRestartIntegrationTest {

  private static final Duration DEPLOY_WAIT = Duration.ofSeconds(150);

  @TempDir
  Path dataDir;

  private GitServer git;
  private EmbeddedBroker broker;
  private LocalOrca orca;
  private OrcaClient api;
  private String applicationId;

  @AfterEach
  void stop() throws Exception {
    if (orca != null) {
      orca.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (git != null) {
      git.close();
    }
    if (applicationId != null) {
      for (String container : OrcaClient.docker("ps", "-aq", "--filter", "label=orca-cd.application-id=" + applicationId)) {
        OrcaClient.docker("rm", "-f", container);
      }
    }
  }

  @Test
  void shouldDeliverTheResultOfADeploymentThatWasWaitingWhileTheBrokerRestarted() throws Exception {
    DockerDaemon.require();
    git = GitServer.start();
    // The same listeners after the restart; the PLAINTEXT one (a super user) is what Orca is given.
    EmbeddedBroker.Ports ports = new EmbeddedBroker.Ports(PortBook.freePort(), PortBook.freePort(),
        PortBook.freePort(), PortBook.freePort(), "127.0.0.1", PortBook.freePort());
    BrokerTls tls = BrokerTls.loadOrCreate(dataDir.resolve("kafka-tls"), List.of());
    Path logDir = dataDir.resolve("kafka");
    broker = EmbeddedBroker.start(logDir, tls, ports, Duration.ofSeconds(60));
    orca = LocalOrca.start(LocalSettings.external(dataDir.resolve("orca"), broker.plaintextBootstrap(),
        SharedPostgres.newDatabase().orcaUrl(), null, Map.of("ORCA_TOPIC_PREFIX", "restart.",
            // The local agent connects as any agent does: its own credential, SCRAM over TLS.
            "ORCA_AGENT_KAFKA_BOOTSTRAP", broker.agentsBootstrap(),
            "ORCA_AGENT_KAFKA_CA_CERT", tls.caCertificatePem())));
    api = new OrcaClient(orca.httpPort());
    api.awaitHealthy();
    String auth = api.signUpAdmin("restart-" + UUID.randomUUID());

    GitRepo repo = git.createRepository("slow");
    // Ready once its healthcheck passes, 5 s after it starts: the broker is down then, so the
    // agent reports to a broker that is not there and the result travels once it is back.
    String first = repo.commit("compose.yaml", """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sh", "-c", "sleep 5; touch /tmp/ready; exec sleep 100000"]
            stop_grace_period: 1s
            healthcheck:
              test: ["CMD", "test", "-f", "/tmp/ready"]
              interval: 1s
              retries: 60
        """, "slow to turn ready");
    String repositoryId = OrcaClient.json(api.call("POST", "/repositories", auth,
        Map.of("name", "slow", "url", repo.url(), "syncType", "manual"))).get("id").asText();
    HttpResponse<String> created = api.call("POST", "/applications", auth, Map.of("name", "slow", "repositoryId",
        repositoryId, "agentId", orca.localAgentId(), "branch", "main", "path", "compose.yaml"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    applicationId = OrcaClient.json(created).get("id").asText();

    await("the stack's container started, not ready yet").atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> !containers().isEmpty());
    String container = containers().get(0);
    assertThat(OrcaClient.docker("inspect", "-f", "{{.State.Health.Status}}", container)).containsExactly("starting");

    broker.close();
    broker = null;
    Thread.sleep(10_000);
    broker = EmbeddedBroker.start(logDir, tls, ports, Duration.ofSeconds(60));

    JsonNode[] last = new JsonNode[1];
    await("the deployment's result through the restarted broker").atMost(DEPLOY_WAIT)
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          last[0] = OrcaClient.json(api.call("GET", "/applications/" + applicationId, auth, null));
          return "synced".equals(last[0].path("syncStatus").asText()) && first.equals(last[0].path("commit").asText());
        });
    assertThat(last[0].path("healthStatus").asText()).isEqualTo("healthy");
    JsonNode deployments = OrcaClient.json(api.call("GET", "/applications/" + applicationId + "/deployments", auth, null));
    assertThat(deployments).hasSize(1);
    assertThat(deployments.get(0).path("state").asText()).isEqualTo("succeeded");
    assertThat(containers()).as("applied once: the container made before the restart runs on").containsExactly(container);

    // The pipeline still works end to end after the restart.
    String second = repo.commit("compose.yaml", """
        services:
          web:
            image: orca-test/busybox:1
            command: ["sleep", "100000"]
            stop_grace_period: 1s
        """, "ready at once");
    assertThat(api.call("POST", "/repositories/" + repositoryId + "/sync", auth, null).statusCode()).isEqualTo(202);
    await("a deployment after the restart").atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
      JsonNode app = OrcaClient.json(api.call("GET", "/applications/" + applicationId, auth, null));
      return "synced".equals(app.path("syncStatus").asText()) && second.equals(app.path("commit").asText());
    });
  }

  private List<String> containers() throws IOException, InterruptedException {
    return OrcaClient.docker("ps", "-aq", "--no-trunc", "--filter", "label=orca-cd.application-id=" + applicationId);
  }
}
