package dev.orca.gateway.system;

import dev.orca.git.EgressPolicy;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the gateway is configured with, bound from {@code orca.*}; environment variables
 * such as {@code ORCA_KAFKA_BOOTSTRAP} are mapped onto these keys by {@link OrcaEnvironment}.
 * Construction fails when the app secret is missing or too short, so the gateway never starts
 * without a usable encryption key.
 */
@ConfigurationProperties("orca")
public record OrcaProperties(
    @DefaultValue("localhost:9092") String kafkaBootstrap,
    @DefaultValue("orca.") String topicPrefix,
    @DefaultValue("3") int topicPartitions,
    @DefaultValue("1") short topicReplication,
    String databaseUrl,
    String appSecret,
    String appSecretPrevious,
    String publicUrl,
    @DefaultValue("false") boolean allowLocalGit,
    String egressAllow,
    @DefaultValue("300") int deployTimeoutSeconds,
    @DefaultValue LocalAgent localAgent,
    @DefaultValue Health health,
    @DefaultValue Session session,
    @DefaultValue Audit audit,
    @DefaultValue RateLimit rateLimit,
    @DefaultValue Auth auth) {

  static final int MIN_SECRET_LENGTH = 32;

  public OrcaProperties {
    if (appSecret == null || appSecret.isBlank()) {
      throw new IllegalArgumentException("APP_SECRET (orca.app-secret) is required: set it to a random string of at least "
          + MIN_SECRET_LENGTH + " characters");
    }
    if (appSecret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("APP_SECRET (orca.app-secret) is too short: it needs at least "
          + MIN_SECRET_LENGTH + " characters");
    }
    if (deployTimeoutSeconds < 1) {
      throw new IllegalArgumentException("orca.deploy-timeout-seconds must be positive");
    }
    egress(allowLocalGit, egressAllow); // an allow-list that cannot be read stops the start, with why
    if (appSecretPrevious != null && !appSecretPrevious.isBlank()) {
      try {
        dev.orca.schemas.crypto.KeyRing.fromSecrets(appSecret, appSecretPrevious);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ORCA_APP_SECRET_PREVIOUS (orca.app-secret-previous): every previous secret "
            + e.getMessage().replace("APP_SECRET ", ""));
      }
    }
    if (health.requiredGroups() == null) {
      health = new Health(List.of(topicPrefix + "sync-stream", topicPrefix + "deploy-dispatcher",
          topicPrefix + "deploy-dispatcher-relay"));
    }
  }

  /**
   * A sign-in lasts {@code lifetime} at most and ends earlier when unused for {@code idleTimeout}
   * ({@code ORCA_SESSION_IDLE_TIMEOUT}, {@code ORCA_SESSION_LIFETIME}).
   */
  public record Session(@DefaultValue("PT12H") java.time.Duration idleTimeout,
      @DefaultValue("P7D") java.time.Duration lifetime) {
    public Session {
      if (idleTimeout.isNegative() || idleTimeout.isZero() || lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("orca.session.idle-timeout and orca.session.lifetime must be positive");
      }
    }
  }

  /**
   * Requests one API token or session may make: a burst of {@code apiBurst}, then
   * {@code apiPerSecond} a second ({@code ORCA_RATE_LIMIT_API_BURST}, {@code _API_PER_SECOND});
   * beyond, 429 with Retry-After.
   */
  public record RateLimit(@DefaultValue("300") int apiBurst, @DefaultValue("10") int apiPerSecond) {
    public RateLimit {
      if (apiBurst < 1 || apiPerSecond < 1) {
        throw new IllegalArgumentException("orca.rate-limit.api-burst and api-per-second must be positive");
      }
    }
  }

  /**
   * Whether people may sign in with an email and password ({@code ORCA_AUTH_LOCAL_LOGIN}, true);
   * off, only OIDC providers sign in (registration of the first user stays open).
   */
  public record Auth(@DefaultValue("true") boolean localLogin) {}

  /** How long audit log entries are kept ({@code ORCA_AUDIT_RETENTION}, 90 days). */
  public record Audit(@DefaultValue("P90D") java.time.Duration retention) {
    public Audit {
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("orca.audit.retention must be positive");
      }
    }
  }

  /** Whether the gateway registers the local agent of {@code ./orca up} at start-up. */
  public record LocalAgent(@DefaultValue("false") boolean enabled) {}

  /**
   * Consumer groups that must have a live member for the gateway to report itself healthy;
   * null means the default: the sync-stream and deploy-dispatcher applications.
   */
  public record Health(List<String> requiredGroups) {}

  /** Where the gateway may connect (git remotes it browses): loopback in local mode, private ranges as allowed. */
  public EgressPolicy egress() {
    return egress(allowLocalGit, egressAllow);
  }

  private static EgressPolicy egress(boolean allowLocalGit, String egressAllow) {
    return EgressPolicy.of(allowLocalGit, egressAllow);
  }

  /** The public URL without trailing slashes, ready to have paths appended; null when none is set. */
  public String publicBaseUrl() {
    return publicUrl == null || publicUrl.isBlank() ? null : publicUrl.trim().replaceAll("/+$", "");
  }

  /** Whether the session cookie must be marked Secure. */
  public boolean httpsPublicUrl() {
    return publicUrl != null && publicUrl.toLowerCase(Locale.ROOT).startsWith("https://");
  }

  @Override
  public String toString() {
    return "OrcaProperties[kafkaBootstrap=" + kafkaBootstrap + ", topicPrefix=" + topicPrefix + ", publicUrl=" + publicUrl
        + ", allowLocalGit=" + allowLocalGit + ", egressAllow=" + egressAllow + ", deployTimeoutSeconds=" + deployTimeoutSeconds + "]";
  }
}
