package dev.orca.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.broker.BrokerTls;
import dev.orca.broker.EmbeddedBroker;
import dev.orca.schemas.KafkaSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.docker.KafkaDockerWrapper$;
import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The distributed deployment's docker-compose.yml, checked as far as this machine can without
 * its images (no registry here): docker-compose itself validates the file, and each broker's
 * environment goes through the apache/kafka image's own conversion into server properties
 * (KafkaDockerWrapper, the class the image runs) and Kafka's own validation of them, then is held
 * to the security settings of the embedded broker, which every other test runs against.
 */
class DistributedComposeTest {

  private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml");
  private static final Map<String, String> SET = Map.of(
      "ORCA_AGENT_KAFKA_HOST", "orca.example.com",
      "ORCA_GATEWAY_KAFKA_PASSWORD", "gateway-password",
      "ORCA_SYNC_STREAM_KAFKA_PASSWORD", "sync-password",
      "ORCA_DISPATCHER_KAFKA_PASSWORD", "dispatcher-password",
      "ORCA_DB_PASSWORD", "db-password",
      "APP_SECRET", "an-app-secret-of-at-least-32-characters");
  /** Settings that make a broker what docs/security.md says; the same in both deployments. */
  private static final List<String> SECURITY = List.of("authorizer.class.name", "allow.everyone.if.no.acl.found",
      "super.users", "sasl.enabled.mechanisms", "connections.max.reauth.ms", "ssl.keystore.type",
      "ssl.truststore.type", "listener.name.controller.ssl.client.auth", "listener.name.broker.ssl.client.auth",
      "listener.name.agents.scram-sha-512.sasl.jaas.config", "inter.broker.listener.name",
      "controller.listener.names");

  @TempDir
  Path dir;

  @Test
  void shouldBeAValidComposeFile() throws Exception {
    ProcessBuilder config = new ProcessBuilder("docker-compose", "-f", COMPOSE_FILE.toString(), "config", "-q")
        .redirectErrorStream(true);
    config.environment().putAll(SET);
    Process process = config.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  @Test
  void shouldRunEachBrokerWithTheEmbeddedBrokersSecurity() throws Exception {
    Map<String, Map<String, Object>> services = services();
    Properties embedded = EmbeddedBroker.serverProperties(dir.resolve("kafka"),
        BrokerTls.loadOrCreate(dir.resolve("tls"), List.of("localhost")),
        new EmbeddedBroker.Ports(1, 2, 3, 4, "localhost", 0));
    List<String> nodeIds = new ArrayList<>();
    for (String name : List.of("kafka-1", "kafka-2", "kafka-3")) {
      Properties broker = serverProperties(services.get(name));
      // Kafka's own validation of the whole configuration (listeners, their protocols, SASL, TLS...).
      KafkaConfig config = KafkaConfig.fromProps(broker, false);
      nodeIds.add(String.valueOf(config.nodeId()));
      for (String key : SECURITY) {
        assertThat(broker.getProperty(key)).as("%s of %s", key, name).isEqualTo(embedded.getProperty(key));
      }
      assertThat(broker.getProperty("super.users")).isEqualTo(BrokerTls.BROKER_PRINCIPAL);
      assertThat(broker.getProperty("sasl.enabled.mechanisms")).isEqualTo(KafkaSecurity.MECHANISM);
      // Components and agents over SCRAM and TLS; the brokers among themselves by certificate.
      assertThat(broker.getProperty("listener.security.protocol.map"))
          .isEqualTo("CONTROLLER:SSL,BROKER:SSL,CLIENTS:SASL_SSL,AGENTS:SASL_SSL");
      assertThat(broker.getProperty("listener.name.clients.scram-sha-512.sasl.jaas.config"))
          .isEqualTo(embedded.getProperty("listener.name.internal.scram-sha-512.sasl.jaas.config"));
      // The PEM files kafka-tls writes, where the service mounts them.
      List<String> volumes = ((List<?>) services.get(name).get("volumes")).stream().map(String::valueOf).toList();
      assertThat(volumes).contains("./kafka-tls/broker.pem:" + broker.getProperty("ssl.keystore.location") + ":ro",
          "./kafka-tls/ca.crt:" + broker.getProperty("ssl.truststore.location") + ":ro");
      // Agents reach the host by its name, on the port the service publishes for its agents' listener.
      String published = String.valueOf(((List<?>) services.get(name).get("ports")).get(0));
      assertThat(broker.getProperty("advertised.listeners"))
          .contains("AGENTS://orca.example.com:" + published.substring(0, published.indexOf(':')));
      assertThat(broker.getProperty("listeners")).contains("AGENTS://:" + published.substring(published.indexOf(':') + 1));
      assertThat(broker.getProperty("auto.create.topics.enable")).isEqualTo("false");
    }
    assertThat(nodeIds).containsExactly("1", "2", "3");
  }

  /** What the apache/kafka image writes into server.properties from a service's environment. */
  private Properties serverProperties(Map<String, Object> service) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> environment = (Map<String, Object>) service.get("environment");
    Map<String, String> env = new HashMap<>();
    environment.forEach((key, value) -> env.put(key, String.valueOf(value)));
    scala.collection.immutable.Map<String, String> scalaEnv =
        scala.collection.immutable.Map$.MODULE$.from(scala.jdk.javaapi.CollectionConverters.asScala(env));
    List<String> lines = scala.jdk.javaapi.CollectionConverters.asJava(
        KafkaDockerWrapper$.MODULE$.getServerConfigsFromEnv(scalaEnv));
    Properties properties = new Properties();
    properties.load(new java.io.StringReader(String.join("\n", lines)));
    return properties;
  }

  /** The compose file's services, its variables set as above (compose's ${NAME}, ${NAME:?...}, ${NAME:-...}). */
  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    String text = Files.readString(COMPOSE_FILE, StandardCharsets.UTF_8);
    Matcher variable = Pattern.compile("\\$\\{([A-Z_]+)(?::([?-])([^}]*))?}").matcher(text);
    StringBuilder resolved = new StringBuilder();
    while (variable.find()) {
      String value = SET.getOrDefault(variable.group(1), "-".equals(variable.group(2)) ? variable.group(3) : null);
      assertThat(value).as("a value for %s", variable.group(1)).isNotNull();
      variable.appendReplacement(resolved, Matcher.quoteReplacement(value));
    }
    variable.appendTail(resolved);
    Map<String, Object> file = new Yaml().load(resolved.toString());
    return (Map<String, Map<String, Object>>) file.get("services");
  }
}
