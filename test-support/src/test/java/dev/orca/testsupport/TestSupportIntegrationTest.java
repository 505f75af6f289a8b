package dev.orca.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestSupportIntegrationTest {

  @Test
  void shouldServeRepositoriesOverSmartHttp(@TempDir Path clone) throws Exception {
    try (GitServer server = GitServer.start()) {
      GitRepo repo = server.createRepository("demo");
      String sha = repo.commit("compose.yaml", "services: {}\n", "add compose");
      Collection<Ref> refs = Git.lsRemoteRepository().setRemote(repo.url()).setHeads(true).call();
      assertThat(refs).anySatisfy(r -> {
        assertThat(r.getName()).isEqualTo("refs/heads/main");
        assertThat(r.getObjectId().name()).isEqualTo(sha);
      });
      try (Git git = Git.cloneRepository().setURI(repo.url()).setDirectory(clone.toFile()).call()) {
        assertThat(Files.readString(clone.resolve("compose.yaml"))).isEqualTo("services: {}\n");
      }
    }
  }

  @Test
  void shouldServeRepositoriesOverSshToTheGitCommandLine(@TempDir Path client) throws Exception {
    try (SshGitServer server = SshGitServer.start()) {
      GitRepo repo = server.createRepository("demo");
      String sha = repo.commit("compose.yaml", "services: {}\n", "add compose");
      Path key = client.resolve("id");
      Files.writeString(key, server.clientKey().privateKey());
      Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Path knownHosts = client.resolve("known_hosts");
      Files.writeString(knownHosts, server.knownHostsLine() + "\n");
      // The real git and ssh clients, told to read nothing of ~/.ssh and to trust only the fixture's host key.
      ProcessBuilder lsRemote = new ProcessBuilder("git", "ls-remote", repo.url(), "refs/heads/main")
          .redirectErrorStream(true);
      lsRemote.environment().put("GIT_SSH_COMMAND", "ssh -F /dev/null -i " + key + " -o IdentitiesOnly=yes"
          + " -o UserKnownHostsFile=" + knownHosts + " -o StrictHostKeyChecking=yes -o BatchMode=yes");
      Process process = lsRemote.start();
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(output).as("git ls-remote; sshd said:%n%s", server.log()).startsWith(sha + "\trefs/heads/main");
      assertThat(server.hostKeyFingerprint()).startsWith("SHA256:").hasSize(50);
    }
  }

  @Test
  void shouldShareOneKafkaBroker() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("test-support-topic", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("test-support-topic");
    }
  }

  @Test
  void shouldGiveEachCallerItsOwnDatabase() throws Exception {
    SharedPostgres.Database a = SharedPostgres.newDatabase();
    SharedPostgres.Database b = SharedPostgres.newDatabase();
    assertThat(a.name()).isNotEqualTo(b.name());
    try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.user(), a.password());
         ResultSet rs = c.createStatement().executeQuery("select current_database()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(a.name());
    }
  }
}
