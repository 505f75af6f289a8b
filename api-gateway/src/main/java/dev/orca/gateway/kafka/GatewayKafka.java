package dev.orca.gateway.kafka;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.schemas.KafkaAccess;
import dev.orca.schemas.KafkaSecurity;
import java.util.Map;
import java.util.function.Function;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The gateway's side of the broker's security, from the environment (variables, or the same
 * names as properties): its own credential ({@code ORCA_KAFKA_SECURITY_PROTOCOL},
 * {@code ORCA_KAFKA_USERNAME}, {@code ORCA_KAFKA_PASSWORD}, {@code ORCA_KAFKA_CA_CERT[_FILE]}),
 * what agents are told to connect with ({@code ORCA_AGENT_KAFKA_BOOTSTRAP}, default the
 * gateway's own bootstrap; {@code ORCA_AGENT_KAFKA_CA_CERT[_FILE]}, the CA agents trust the
 * broker by; {@code ORCA_AGENT_KAFKA_SECURITY_PROTOCOL}, default SASL_SSL with a CA, else
 * SASL_PLAINTEXT), whether agents get credentials and ACLs at all ({@code ORCA_KAFKA_ACLS},
 * default true: only for a broker without an authorizer, where agents are not isolated), and the
 * principals of the other components, which per-agent ACLs name ({@code
 * ORCA_KAFKA_DISPATCHER_PRINCIPAL}, {@code ORCA_KAFKA_SYNC_STREAM_PRINCIPAL}).
 */
@Component
public class GatewayKafka {

  private final String bootstrap;
  private final KafkaSecurity security;
  private final String agentBootstrap;
  private final String agentProtocol;
  private final String agentCaCertificate;
  private final boolean acls;
  private final KafkaAccess.Principals principals;

  public GatewayKafka(Environment environment, OrcaProperties properties) {
    Function<String, String> env = environment::getProperty;
    this.bootstrap = properties.kafkaBootstrap();
    this.security = KafkaSecurity.fromEnvironment(env, "ORCA_KAFKA_");
    String agents = env.apply("ORCA_AGENT_KAFKA_BOOTSTRAP");
    this.agentBootstrap = agents == null || agents.isBlank() ? bootstrap : agents.trim();
    this.agentCaCertificate = KafkaSecurity.caCertificate(env, "ORCA_AGENT_KAFKA_");
    String flag = env.apply("ORCA_KAFKA_ACLS");
    this.acls = flag == null || flag.isBlank() || Boolean.parseBoolean(flag.trim());
    String protocol = env.apply("ORCA_AGENT_KAFKA_SECURITY_PROTOCOL");
    this.agentProtocol = protocol != null && !protocol.isBlank() ? protocol.trim()
        : !acls ? KafkaSecurity.PLAINTEXT
        : agentCaCertificate != null ? KafkaSecurity.SASL_SSL : KafkaSecurity.SASL_PLAINTEXT;
    if (acls) {
      // Settings agents could not connect with stop the gateway now, not a registration later.
      new KafkaSecurity(agentProtocol, "probe", "probe", agentCaCertificate);
    }
    KafkaAccess.Principals defaults = KafkaAccess.Principals.defaults();
    this.principals = new KafkaAccess.Principals(
        security.authenticates() ? security.username() : defaults.gateway(),
        orDefault(env.apply("ORCA_KAFKA_SYNC_STREAM_PRINCIPAL"), defaults.syncStream()),
        orDefault(env.apply("ORCA_KAFKA_DISPATCHER_PRINCIPAL"), defaults.dispatcher()));
  }

  /** A client configuration of the gateway's own principal, with {@code extra} on top. */
  public Map<String, Object> client(Map<String, Object> extra) {
    return security.with(bootstrap, extra);
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** Whether agents get a credential and ACLs when they are registered. */
  public boolean acls() {
    return acls;
  }

  public KafkaAccess.Principals principals() {
    return principals;
  }

  public String agentBootstrap() {
    return agentBootstrap;
  }

  /** How an agent with this credential connects (PLAINTEXT, without one, when ACLs are off). */
  public KafkaSecurity forAgent(String principal, String password) {
    if (!acls || principal == null) {
      return KafkaSecurity.plaintext();
    }
    return new KafkaSecurity(agentProtocol, principal, password, agentCaCertificate);
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
