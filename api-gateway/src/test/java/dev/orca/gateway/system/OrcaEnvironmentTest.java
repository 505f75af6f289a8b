package dev.orca.gateway.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.junit.jupiter.api.Test;

class OrcaEnvironmentTest {

  @Test
  void shouldDeriveR2dbcAndFlywaySettingsFromTheDatabaseUrl() {
    Map<String, Object> properties = OrcaEnvironment.connectionProperties("postgresql://orca:p%40ss%3Aword@db.internal:6432/orca");

    assertThat(properties).containsEntry("spring.r2dbc.url", "r2dbc:postgresql://db.internal:6432/orca")
        .containsEntry("spring.flyway.url", "jdbc:postgresql://db.internal:6432/orca")
        .containsEntry("spring.r2dbc.username", "orca").containsEntry("spring.flyway.user", "orca")
        .containsEntry("spring.r2dbc.password", "p@ss:word").containsEntry("spring.flyway.password", "p@ss:word");
  }

  @Test
  void shouldDefaultThePortAndKeepQueryParameters() {
    Map<String, Object> properties = OrcaEnvironment.connectionProperties("postgres://u@db/orca?sslmode=require");

    assertThat(properties).containsEntry("spring.r2dbc.url", "r2dbc:postgresql://db:5432/orca?sslmode=require")
        .doesNotContainKey("spring.r2dbc.password");
  }

  @Test
  void shouldMapEnvironmentVariablesBelowEverythingALauncherOrTestSetsExplicitly() {
    StandardEnvironment environment = new StandardEnvironment() {
      @Override
      public Map<String, Object> getSystemEnvironment() {
        return Map.of("APP_SECRET", "from-the-shell", "ORCA_HTTP_PORT", "9000",
            "ORCA_DATABASE_URL", "postgresql://orca:secret@db:5432/orca");
      }
    };
    environment.getPropertySources().addLast(new MapPropertySource("defaultProperties",
        Map.of("orca.app-secret", "from-the-launcher")));
    environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of("server.port", "0")));

    new OrcaEnvironment().postProcessEnvironment(environment, new SpringApplication());

    assertThat(environment.getProperty("orca.app-secret")).isEqualTo("from-the-launcher");
    assertThat(environment.getProperty("server.port")).isEqualTo("0");
    environment.getPropertySources().remove("defaultProperties");
    environment.getPropertySources().remove("test");
    assertThat(environment.getProperty("orca.app-secret")).isEqualTo("from-the-shell");
    assertThat(environment.getProperty("server.port")).isEqualTo("9000");
    assertThat(environment.getProperty("orca.database-url")).isEqualTo("postgresql://orca:secret@db:5432/orca");
    assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://db:5432/orca");
    assertThat(environment.getProperty("spring.flyway.password")).isEqualTo("secret");
  }

  @Test
  void shouldBindEveryDocumentedVariableOntoOrcaProperties() {
    StandardEnvironment environment = new StandardEnvironment() {
      @Override
      public Map<String, Object> getSystemEnvironment() {
        return Map.of("ORCA_KAFKA_BOOTSTRAP", "kafka.internal:9092", "APP_SECRET", "0123456789abcdef0123456789abcdef",
            "ORCA_TOPIC_PREFIX", "prod.", "ORCA_TOPIC_PARTITIONS", "6", "ORCA_TOPIC_REPLICATION", "3",
            "ORCA_DATABASE_URL", "postgresql://u:p@db/orca", "ORCA_PUBLIC_URL", "https://orca.example.com",
            "ORCA_ALLOW_LOCAL_GIT", "true", "ORCA_DEPLOY_TIMEOUT_SECONDS", "120");
      }
    };
    new OrcaEnvironment().postProcessEnvironment(environment, new SpringApplication());

    OrcaProperties properties = Binder.get(environment).bind("orca", OrcaProperties.class).get();

    assertThat(properties.kafkaBootstrap()).isEqualTo("kafka.internal:9092");
    assertThat(properties.topicPrefix()).isEqualTo("prod.");
    assertThat(properties.topicPartitions()).isEqualTo(6);
    assertThat(properties.topicReplication()).isEqualTo((short) 3);
    assertThat(properties.databaseUrl()).isEqualTo("postgresql://u:p@db/orca");
    assertThat(properties.publicUrl()).isEqualTo("https://orca.example.com");
    assertThat(properties.httpsPublicUrl()).isTrue();
    assertThat(properties.allowLocalGit()).isTrue();
    assertThat(properties.deployTimeoutSeconds()).isEqualTo(120);
    assertThat(properties.localAgent().enabled()).isFalse();
    assertThat(properties.health().requiredGroups()).containsExactly("prod.sync-stream", "prod.deploy-dispatcher",
        "prod.deploy-dispatcher-relay");
  }

  @Test
  void shouldDeriveConnectionSettingsFromADatabaseUrlAddedAfterStartUp() {
    StandardEnvironment environment = new StandardEnvironment();
    new OrcaEnvironment().postProcessEnvironment(environment, new SpringApplication());
    assertThat(environment.getProperty("spring.r2dbc.url")).isNull();

    environment.getPropertySources().addFirst(new MapPropertySource("dynamic",
        Map.of("orca.database-url", "postgresql://u:p@127.0.0.1:5433/late")));

    assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://127.0.0.1:5433/late");
    assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://127.0.0.1:5433/late");
  }

  @Test
  void shouldRefuseUrlsThatAreNotPostgresql() {
    assertThatThrownBy(() -> OrcaEnvironment.connectionProperties("mysql://u:p@db/orca"))
        .hasMessageContaining("postgresql://");
    assertThatThrownBy(() -> OrcaEnvironment.connectionProperties("postgresql://db"))
        .hasMessageContaining("database");
  }
}
