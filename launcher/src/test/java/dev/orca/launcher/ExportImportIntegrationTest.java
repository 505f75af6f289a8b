package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.orca.testsupport.DockerDaemon;
import dev.orca.testsupport.GitRepo;
import dev.orca.testsupport.GitServer;
import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code orca export} and {@code orca import} as an operator moving an installation uses them:
 * an Orca with users, an API token, a repository behind credentials, an agent on another host
 * and a deployed application with secret variables is exported, and imported into a fresh data
 * directory whose Orca has its own APP_SECRET, its own database and its own, new, broker. That
 * Orca must then let the same people in (passwords and tokens), read the repository with the
 * stored credential, know both agents, and deploy the application again by itself.
 */
class ExportImportIntegrationTest {

  private static final Duration DEPLOY_WAIT = Duration.ofSeconds(120);
  private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
  private static final String GIT_USER = "deployer";
  private static final String GIT_PASSWORD = "git-secret-5f0c2a9e";
  private static final String VARIABLE_VALUE = "variable-secret-81d4e6";
  private static final String COLLEAGUE_PASSWORD = "Colleague-Pass-77";

  @TempDir
  Path work;

  @Test
  void shouldRestoreAnInstallationOntoAFreshDataDirectoryAndANewBroker() throws Exception {
    DockerDaemon.require();
    Path dirA = work.resolve("a");
    Path dirB = work.resolve("b");
    SharedPostgres.Database databaseA = SharedPostgres.newDatabase();
    SharedPostgres.Database databaseB = SharedPostgres.newDatabase();
    Path file = work.resolve("orca.export");
    String applicationName = "Restored Stack " + System.nanoTime();

    try (GitServer git = GitServer.startWithBasicAuth(GIT_USER, GIT_PASSWORD)) {
      GitRepo repo = git.createRepository("restored");
      String commit = repo.commit("app/compose.yaml", compose(), "the stack to restore");

      String bearer;
      String localAgentId;
      String remoteAgentId;
      String repositoryId;
      String applicationId;
      try (LocalOrca a = LocalOrca.start(LocalSettings.external(dirA, null, databaseA.orcaUrl(), null, Map.of()))) {
        OrcaClient api = new OrcaClient(a.httpPort());
        api.awaitHealthy();
        bearer = api.signUpAdmin("ci");
        localAgentId = a.localAgentId();
        assertThat(api.call("POST", "/admin/users", bearer, Map.of("email", "colleague@example.com",
            "name", "Colleague", "password", COLLEAGUE_PASSWORD, "role", "user")).statusCode()).isEqualTo(201);
        HttpResponse<String> agent = api.call("POST", "/agents", bearer, Map.of("name", "edge-restored"));
        assertThat(agent.statusCode()).as(agent.body()).isEqualTo(201);
        remoteAgentId = OrcaClient.json(agent).get("id").asString();
        HttpResponse<String> repository = api.call("POST", "/repositories", bearer, Map.of("name", "restored",
            "url", repo.url(), "authMethod", "basic", "username", GIT_USER, "password", GIT_PASSWORD,
            "syncType", "manual"));
        assertThat(repository.statusCode()).as(repository.body()).isEqualTo(201);
        repositoryId = OrcaClient.json(repository).get("id").asString();
        HttpResponse<String> created = api.call("POST", "/applications", bearer, Map.of("name", applicationName,
            "repositoryId", repositoryId, "agentId", localAgentId, "branch", "main", "path", "app/compose.yaml"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        applicationId = OrcaClient.json(created).get("id").asString();
        HttpResponse<String> variables = api.call("PUT", "/applications/" + applicationId + "/environment", bearer,
            Map.of("variables", Map.of("GREETING", VARIABLE_VALUE)));
        assertThat(variables.statusCode()).as(variables.body()).isEqualTo(200);
        api.awaitSynced(bearer, applicationId, commit, DEPLOY_WAIT);
        awaitContainerWith(applicationId, "GREETING=" + VARIABLE_VALUE);
        // Once more by hand, so the agent has applied a generation above the first.
        HttpResponse<String> deploy = api.call("POST", "/applications/" + applicationId + "/deploy", bearer, null);
        assertThat(deploy.statusCode()).as(deploy.body()).isEqualTo(202);
        String again = OrcaClient.json(deploy).get("deploymentId").asString();
        await("the deployment by hand succeeded").atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(250))
            .until(() -> {
              for (JsonNode deployment : OrcaClient.json(api.call("GET", "/applications/" + applicationId
                  + "/deployments", bearer, null))) {
                if (again.equals(deployment.path("id").asString())) {
                  assertThat(deployment.path("generation").asLong()).isGreaterThanOrEqualTo(2);
                  return "succeeded".equals(deployment.path("state").asString());
                }
              }
              return false;
            });
      }
      // The host keeps what its agent applied (as any agent's host does), but not the containers:
      // the new installation has to deploy them, above the generations that agent has seen.
      for (String container : containers(applicationId)) {
        OrcaClient.docker("rm", "-f", container);
      }
      copyTree(dirA.resolve("deployments"), dirB.resolve("deployments"));

      Map<String, String> fromA = Map.of("ORCA_DATA_DIR", dirA.toString(), "ORCA_DATABASE_URL", databaseA.orcaUrl());
      Map<String, String> intoB = Map.of("ORCA_DATA_DIR", dirB.toString(), "ORCA_DATABASE_URL", databaseB.orcaUrl());
      assertThatThrownBy(() -> ExportImport.export(fromA, file, "too short".toCharArray()))
          .hasMessageContaining("at least 12 characters");
      String exported = ExportImport.export(fromA, file, PASSPHRASE);
      assertThat(exported).contains("2 users", "2 agents", "1 repository", "1 application");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThatThrownBy(() -> ExportImport.export(fromA, file, PASSPHRASE)).hasMessageContaining("never overwrites");
      // Nothing in the file is readable without the passphrase: no secret, no name, no address.
      String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String secret : List.of(GIT_PASSWORD, VARIABLE_VALUE, applicationName, "colleague@example.com", "argon2id",
          repo.url())) {
        assertThat(raw).doesNotContain(secret);
      }

      assertThatThrownBy(() -> ExportImport.importFile(intoB, file, "not the passphrase at all".toCharArray()))
          .hasMessageContaining("passphrase does not open");
      byte[] damaged = Files.readAllBytes(file);
      damaged[damaged.length / 2] ^= 1;
      Path changed = work.resolve("changed.export");
      Files.write(changed, damaged);
      assertThatThrownBy(() -> ExportImport.importFile(intoB, changed, PASSPHRASE))
          .hasMessageContaining("passphrase does not open this export file (or the file was changed)");
      assertThat(tables(databaseB)).as("a refused file writes nothing").isZero();

      String imported = ExportImport.importFile(intoB, file, PASSPHRASE);
      assertThat(imported).contains("2 users", "1 application", "edge-restored (" + remoteAgentId + ")")
          .doesNotContain(localAgentId);
      assertThatThrownBy(() -> ExportImport.importFile(intoB, file, PASSPHRASE))
          .hasMessageContaining("already holds Orca data");
      assertThat(Files.readString(dirB.resolve(AppSecret.FILE_NAME)))
          .as("the new directory has a key of its own").isNotEqualTo(Files.readString(dirA.resolve(AppSecret.FILE_NAME)));
      try (Connection connection = connect(databaseB); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT name_encrypted, secret_encrypted FROM applications,"
              + " repositories")) {
        rows.next();
        assertThat(rows.getString(1)).doesNotContain(applicationName);
        assertThat(rows.getString(2)).isNotBlank().doesNotContain(GIT_PASSWORD);
      }

      // The same file into a fresh directory of ./orca up's own: its embedded PostgreSQL is made for the import.
      Path dirC = work.resolve("c");
      assertThat(ExportImport.importFile(Map.of("ORCA_DATA_DIR", dirC.toString()), file, PASSPHRASE)).contains("2 users");
      assertThat(dirC.resolve("postgres").resolve("PG_VERSION")).exists();
      try (LocalDatabase database = LocalDatabase.open(LocalSettings.fromEnvironment(Map.of("ORCA_DATA_DIR",
          dirC.toString())), false);
          Connection connection = DriverManager.getConnection(database.jdbc().url(), credentials(database.jdbc()));
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT email, role FROM users ORDER BY email")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1) + " " + rows.getString(2)).isEqualTo("admin@example.com admin");
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1) + " " + rows.getString(2)).isEqualTo("colleague@example.com user");
      }

      try (LocalOrca b = LocalOrca.start(LocalSettings.external(dirB, null, databaseB.orcaUrl(), null, Map.of()))) {
        OrcaClient api = new OrcaClient(b.httpPort());
        api.awaitHealthy();
        assertThat(b.localAgentId()).as("the local agent is the exported one").isEqualTo(localAgentId);
        // The same people get in: the API token, the admin's and the colleague's passwords.
        assertThat(api.call("GET", "/auth/profile", bearer, null).statusCode()).isEqualTo(200);
        assertThat(api.login("admin@example.com", OrcaClient.ADMIN_PASSWORD).statusCode()).isEqualTo(200);
        HttpResponse<String> colleague = api.login("colleague@example.com", COLLEAGUE_PASSWORD);
        assertThat(colleague.statusCode()).isEqualTo(200);
        assertThat(OrcaClient.json(colleague).path("role").asString()).isEqualTo("user");

        JsonNode application = OrcaClient.json(api.call("GET", "/applications/" + applicationId, bearer, null));
        assertThat(application.get("name").asString()).isEqualTo(applicationName);
        assertThat(OrcaClient.json(api.call("GET", "/applications/" + applicationId + "/environment", bearer, null))
            .get("names")).extracting(JsonNode::asString).containsExactly("GREETING");
        JsonNode agents = OrcaClient.json(api.call("GET", "/agents", bearer, null));
        assertThat(agents).extracting(node -> node.get("id").asString()).contains(localAgentId, remoteAgentId);
        // The stored credential, opened under the new key, still reads the remote.
        JsonNode connection = OrcaClient.json(api.call("POST", "/repositories/test-connection", bearer,
            Map.of("repositoryId", repositoryId)));
        assertThat(connection.path("ok").asBoolean()).as(connection.toString()).isTrue();

        // On a broker that never saw it, the application is deployed again by the import's own sync.
        JsonNode[] history = new JsonNode[1];
        await("the application deployed again after the import").atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(500))
            .until(() -> {
              history[0] = OrcaClient.json(api.call("GET", "/applications/" + applicationId + "/deployments", bearer, null));
              for (JsonNode deployment : history[0]) {
                if ("orca import".equals(deployment.path("actor").asString())
                    && "succeeded".equalsIgnoreCase(deployment.path("state").asString())) {
                  return true;
                }
              }
              return false;
            });
        awaitContainerWith(applicationId, "GREETING=" + VARIABLE_VALUE);
        api.awaitSynced(bearer, applicationId, commit, DEPLOY_WAIT);
        assertThat(b.stoppedComponents()).isEmpty();
        assertThat(api.call("DELETE", "/applications/" + applicationId + "?wait=true", bearer, null).statusCode())
            .isEqualTo(200);
      }
    }
  }

  private static Properties credentials(LocalDatabase.Jdbc jdbc) {
    Properties properties = new Properties();
    properties.setProperty("user", jdbc.user());
    properties.setProperty("password", jdbc.password());
    return properties;
  }

  private static String compose() {
    return """
        services:
          web:
            image: orca-test/busybox:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            environment:
              GREETING: ${GREETING}
        """;
  }

  private static Connection connect(SharedPostgres.Database database) throws Exception {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  /** How many tables the database has: zero before anything was imported into it. */
  private static long tables(SharedPostgres.Database database) throws Exception {
    try (Connection connection = connect(database); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema ="
            + " current_schema()")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Waits for the application's one running container to carry {@code variable} (NAME=value). */
  private static void awaitContainerWith(String applicationId, String variable) {
    await("a container of " + applicationId + " with its variable").atMost(DEPLOY_WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          List<String> running = containers(applicationId);
          return running.size() == 1 && String.join("\n", OrcaClient.docker("inspect", "--format",
              "{{json .Config.Env}}", running.get(0))).contains(variable);
        });
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static List<String> containers(String applicationId) throws IOException, InterruptedException {
    return OrcaClient.docker("ps", "-q", "--filter", "label=orca-cd.application-id=" + applicationId);
  }
}
