package dev.orca.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How a component or an agent authenticates to the broker: Kafka's own security, nothing beside
 * it. {@code PLAINTEXT} (no credential: a broker without authentication), {@code SASL_PLAINTEXT}
 * (SCRAM-SHA-512 on a trusted network, such as loopback) or {@code SASL_SSL} (SCRAM-SHA-512 over
 * TLS, the broker's certificate checked against {@code caCertificatePem} and the host name it is
 * reached by). {@link #toString()} never shows the password.
 */
public record KafkaSecurity(String protocol, String username, String password, String caCertificatePem) {

  public static final String PLAINTEXT = "PLAINTEXT";
  public static final String SASL_PLAINTEXT = "SASL_PLAINTEXT";
  public static final String SASL_SSL = "SASL_SSL";
  /** The one SASL mechanism Orca's brokers enable. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  public KafkaSecurity {
    protocol = protocol == null || protocol.isBlank() ? PLAINTEXT : protocol.trim().toUpperCase(Locale.ROOT);
    switch (protocol) {
      case PLAINTEXT -> {
        username = null;
        password = null;
      }
      case SASL_PLAINTEXT, SASL_SSL -> {
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
          throw new IllegalArgumentException(protocol + " needs ORCA_KAFKA_USERNAME and ORCA_KAFKA_PASSWORD");
        }
      }
      default -> throw new IllegalArgumentException("ORCA_KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SASL_PLAINTEXT"
          + " or SASL_SSL (got " + protocol + ")");
    }
    if (SASL_SSL.equals(protocol) && (caCertificatePem == null || caCertificatePem.isBlank())) {
      throw new IllegalArgumentException("SASL_SSL needs the broker's CA certificate (ORCA_KAFKA_CA_CERT or"
          + " ORCA_KAFKA_CA_CERT_FILE)");
    }
    caCertificatePem = caCertificatePem == null || caCertificatePem.isBlank() ? null : caCertificatePem.strip() + "\n";
  }

  /** No authentication at all. */
  public static KafkaSecurity plaintext() {
    return new KafkaSecurity(PLAINTEXT, null, null, null);
  }

  public static KafkaSecurity scram(String username, String password) {
    return new KafkaSecurity(SASL_PLAINTEXT, username, password, null);
  }

  public static KafkaSecurity scramOverTls(String username, String password, String caCertificatePem) {
    return new KafkaSecurity(SASL_SSL, username, password, caCertificatePem);
  }

  /**
   * {@code ORCA_KAFKA_SECURITY_PROTOCOL} (default: {@code SASL_SSL} with a CA certificate,
   * {@code SASL_PLAINTEXT} with only a user name, else {@code PLAINTEXT}), {@code
   * ORCA_KAFKA_USERNAME}, {@code ORCA_KAFKA_PASSWORD}, and the broker's CA certificate as {@code
   * ORCA_KAFKA_CA_CERT} (PEM, or PEM in base64 so it fits on one line of an environment file) or
   * {@code ORCA_KAFKA_CA_CERT_FILE} (a PEM file).
   */
  public static KafkaSecurity fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env::get, "ORCA_KAFKA_");
  }

  /**
   * The same, from any lookup and with another prefix of the variables' names ({@code
   * ORCA_AGENT_KAFKA_} for what the gateway hands to agents).
   */
  public static KafkaSecurity fromEnvironment(Function<String, String> env, String prefix) {
    String username = blankToNull(env.apply(prefix + "USERNAME"));
    String ca = caCertificate(env, prefix);
    String protocol = blankToNull(env.apply(prefix + "SECURITY_PROTOCOL"));
    if (protocol == null) {
      protocol = username == null ? PLAINTEXT : ca == null ? SASL_PLAINTEXT : SASL_SSL;
    }
    return new KafkaSecurity(protocol, username, env.apply(prefix + "PASSWORD"), ca);
  }

  /** The broker's CA certificate from {@code <prefix>CA_CERT} or {@code <prefix>CA_CERT_FILE}; null when neither is set. */
  public static String caCertificate(Function<String, String> env, String prefix) {
    String inline = blankToNull(env.apply(prefix + "CA_CERT"));
    if (inline != null) {
      return decodePem(inline);
    }
    String file = blankToNull(env.apply(prefix + "CA_CERT_FILE"));
    if (file == null) {
      return null;
    }
    try {
      return decodePem(Files.readString(Path.of(file.trim()), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + prefix + "CA_CERT_FILE " + file, e);
    }
  }

  /** PEM as given, or PEM that was base64-encoded to fit on one line. */
  static String decodePem(String value) {
    String trimmed = value.strip();
    if (trimmed.startsWith("-----BEGIN")) {
      return trimmed;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(trimmed.replaceAll("\\s", "")), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ORCA_KAFKA_CA_CERT must be a PEM certificate or one in base64");
    }
    if (!decoded.strip().startsWith("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("ORCA_KAFKA_CA_CERT must be a PEM certificate or one in base64");
    }
    return decoded.strip();
  }

  /**
   * These settings as the variables {@link #fromEnvironment(Function, String)} reads back, named
   * with {@code prefix} ({@code ORCA_KAFKA_}); the CA in base64, so each value fits on one line.
   */
  public Map<String, String> toEnvironment(String prefix) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put(prefix + "SECURITY_PROTOCOL", protocol);
    if (authenticates()) {
      env.put(prefix + "USERNAME", username);
      env.put(prefix + "PASSWORD", password);
    }
    if (caCertificatePem != null) {
      env.put(prefix + "CA_CERT", caCertificateBase64());
    }
    return env;
  }

  /** The PEM in base64, one line: how an environment file carries it. */
  public String caCertificateBase64() {
    return caCertificatePem == null ? null
        : Base64.getEncoder().encodeToString(caCertificatePem.getBytes(StandardCharsets.US_ASCII));
  }

  public boolean authenticates() {
    return !PLAINTEXT.equals(protocol);
  }

  /** The client properties that say all of this (to add to a producer's, consumer's, admin's or streams' own). */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (authenticates()) {
      props.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
      props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=\"" + jaasEscape(username) + "\" password=\"" + jaasEscape(password) + "\";");
    }
    if (caCertificatePem != null && SASL_SSL.equals(protocol)) {
      props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, caCertificatePem);
      // The default, said out loud: the broker's certificate must name the host it is reached by.
      props.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
    }
    return props;
  }

  public Properties applyTo(Properties props) {
    props.putAll(clientProperties());
    return props;
  }

  /** A client configuration of {@code bootstrap} with this security and {@code extra} on top. */
  public Map<String, Object> with(String bootstrap, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.putAll(clientProperties());
    return props;
  }

  private static String jaasEscape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public String toString() {
    return "KafkaSecurity[protocol=" + protocol + ", username=" + username + ", password="
        + (password == null ? "none" : "set") + ", caCertificate=" + (caCertificatePem == null ? "none" : "set") + "]";
  }
}
