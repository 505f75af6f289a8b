package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBlzCCAT2g\n-----END CERTIFICATE-----";

  @Test
  void shouldConnectWithoutAuthenticationWhenNothingIsSet() {
    KafkaSecurity security = KafkaSecurity.fromEnvironment(Map.of());
    assertThat(security.protocol()).isEqualTo("PLAINTEXT");
    assertThat(security.clientProperties()).containsOnly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void shouldUseScramOverTlsWithTheCaGivenInBase64OrAsAFile(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("ORCA_KAFKA_USERNAME", "agent-1", "ORCA_KAFKA_PASSWORD", "p\"w\\d",
        "ORCA_KAFKA_CA_CERT", Base64.getEncoder().encodeToString(PEM.getBytes(StandardCharsets.US_ASCII)));
    KafkaSecurity security = KafkaSecurity.fromEnvironment(env);

    assertThat(security.protocol()).isEqualTo("SASL_SSL");
    assertThat(security.clientProperties())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"agent-1\" password=\"p\\\"w\\\\d\";")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.certificates", PEM + "\n")
        .containsEntry("ssl.endpoint.identification.algorithm", "https");
    assertThat(security.toString()).doesNotContain("p\"w").contains("password=set");

    Path file = Files.writeString(dir.resolve("ca.crt"), PEM);
    assertThat(KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_USERNAME", "u", "ORCA_KAFKA_PASSWORD", "p",
        "ORCA_KAFKA_CA_CERT_FILE", file.toString())).caCertificatePem()).isEqualTo(PEM + "\n");
    assertThat(KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_USERNAME", "u", "ORCA_KAFKA_PASSWORD", "p"))
        .protocol()).isEqualTo("SASL_PLAINTEXT");
  }

  @Test
  void shouldWriteTheVariablesItReadsBack() {
    KafkaSecurity tls = KafkaSecurity.scramOverTls("agent-1", "pw", PEM);
    assertThat(KafkaSecurity.fromEnvironment(tls.toEnvironment("ORCA_KAFKA_"))).isEqualTo(tls);
    assertThat(KafkaSecurity.plaintext().toEnvironment("ORCA_KAFKA_"))
        .containsOnly(Map.entry("ORCA_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"));
  }

  @Test
  void shouldRefuseSettingsThatCannotWork() {
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "ORCA_KAFKA_USERNAME", "u", "ORCA_KAFKA_PASSWORD", "p")))
        .hasMessageContaining("SASL_SSL needs the broker's CA certificate");
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_USERNAME", "u")))
        .hasMessageContaining("needs ORCA_KAFKA_USERNAME and ORCA_KAFKA_PASSWORD");
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_SECURITY_PROTOCOL", "SSL")))
        .hasMessageContaining("must be PLAINTEXT, SASL_PLAINTEXT or SASL_SSL");
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of("ORCA_KAFKA_USERNAME", "u",
        "ORCA_KAFKA_PASSWORD", "p", "ORCA_KAFKA_CA_CERT", "not a certificate")))
        .hasMessageContaining("must be a PEM certificate or one in base64");
  }
}
