package dev.orca.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.KafkaSecurity;
import dev.orca.schemas.Topics;
import org.junit.jupiter.api.Test;

class AgentConnectionTest {

  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBlzCCAT2g\n-----END CERTIFICATE-----\n";

  @Test
  void shouldSayEverythingTheAgentNeedsInOneEnvironmentFileAndOnePastedCommand() {
    AgentConnection connection = AgentConnection.of("orca.example.com:19093",
        KafkaSecurity.scramOverTls("orca-agent-a1-1", "s3cret-pw", PEM), new Topics("acme.", 3, (short) 1), "a1",
        "a2V5");

    assertThat(connection.environment())
        .containsEntry("ORCA_AGENT_ID", "a1")
        .containsEntry("ORCA_KAFKA_BOOTSTRAP", "orca.example.com:19093")
        .containsEntry("ORCA_TOPIC_PREFIX", "acme.")
        .containsEntry("ORCA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        .containsEntry("ORCA_KAFKA_USERNAME", "orca-agent-a1-1")
        .containsEntry("ORCA_KAFKA_PASSWORD", "s3cret-pw")
        .containsEntry("ORCA_AGENT_ENVIRONMENT_KEY", "a2V5");
    // What the agent reads back is what the gateway meant.
    KafkaSecurity read = KafkaSecurity.fromEnvironment(connection.environment());
    assertThat(read.caCertificatePem()).isEqualTo(PEM);
    assertThat(read.username()).isEqualTo("orca-agent-a1-1");
    assertThat(connection.environmentFile()).doesNotContain(" ").endsWith("\n");
    assertThat(connection.command())
        .startsWith("(umask 077 && cat > orca-agent.env) <<'ORCA_AGENT_ENV'\n" + connection.environmentFile()
            + "ORCA_AGENT_ENV\nchmod 600 orca-agent.env \\\n  && MALLOC_ARENA_MAX=2 java -XX:+UseSerialGC -Xmx40m -Xmn8m")
        // The check first (it archives the classes it loads), then the agent with that archive.
        .contains(" -XX:ArchiveClassesAtExit=orca-agent.jsa -Xlog:cds=off -Xlog:cds+dynamic=off -jar orca-agent.jar"
            + " --env-file orca-agent.env --check \\\n  && MALLOC_ARENA_MAX=2 java -XX:+UseSerialGC")
        .endsWith(" -XX:SharedArchiveFile=orca-agent.jsa -jar orca-agent.jar --env-file orca-agent.env\n");
    assertThat(connection.commandsTopic()).isEqualTo("acme.agent.a1.commands");
    assertThat(connection.toString()).doesNotContain("s3cret-pw").doesNotContain("a2V5");
  }

  @Test
  void shouldCarryNoCredentialWhenTheBrokerHasNoAcls() {
    AgentConnection connection = AgentConnection.of("127.0.0.1:9092", KafkaSecurity.plaintext(), Topics.defaults(),
        "a1", null);
    assertThat(connection.environment()).containsEntry("ORCA_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
        .doesNotContainKeys("ORCA_KAFKA_USERNAME", "ORCA_KAFKA_PASSWORD", "ORCA_KAFKA_CA_CERT",
            "ORCA_AGENT_ENVIRONMENT_KEY");
    assertThat(connection.saslMechanism()).isNull();
  }
}
