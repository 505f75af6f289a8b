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
