package dev.orca.gateway.auth;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code oidc_providers}, {@code oidc_logins} and {@code user_identities} tables. The client
 * secret is stored sealed ({@code SecretBox}); the state and the browser binding of a sign-in in
 * flight only as SHA-256 digests, its PKCE verifier sealed.
 */
@Component
class OidcProviders {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final DatabaseClient db;
  private final JsonMapper json;

  OidcProviders(DatabaseClient db, JsonMapper json) {
    this.db = db;
    this.json = json;
  }

  /** A provider as stored; {@code clientSecretSealed} is ciphertext. */
  record Provider(UUID id, String name, String issuer, String clientId, String clientSecretSealed, String scopes,
      List<String> allowedDomains, List<String> allowedGroups, List<String> adminGroups, String groupsClaim,
      boolean enabled, Instant createdAt, Instant updatedAt) {}

  /** A sign-in in flight. */
  record Login(UUID providerId, byte[] browserHash, String nonce, String codeVerifierSealed, String next) {}

  private static final String COLUMNS = "id, name, issuer, client_id, client_secret_encrypted, scopes,"
      + " allowed_domains::text AS allowed_domains, allowed_groups::text AS allowed_groups,"
      + " admin_groups::text AS admin_groups, groups_claim, enabled, created_at, updated_at";

  private Provider provider(io.r2dbc.spi.Readable row) {
    return new Provider(row.get("id", UUID.class), row.get("name", String.class), row.get("issuer", String.class),
        row.get("client_id", String.class), row.get("client_secret_encrypted", String.class),
        row.get("scopes", String.class), list(row.get("allowed_domains", String.class)),
        list(row.get("allowed_groups", String.class)), list(row.get("admin_groups", String.class)),
        row.get("groups_claim", String.class), Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
        row.get("created_at", Instant.class), row.get("updated_at", Instant.class));
  }

  private List<String> list(String text) {
    return text == null ? List.of() : json.readValue(text, STRINGS);
  }

  Flux<Provider> all() {
    return db.sql("SELECT " + COLUMNS + " FROM oidc_providers ORDER BY lower(name)").map(this::provider).all();
  }

  Mono<Provider> find(UUID id) {
    return db.sql("SELECT " + COLUMNS + " FROM oidc_providers WHERE id = :id").bind("id", id).map(this::provider).one();
  }

  Mono<Provider> save(Provider p, boolean insert) {
    String sql = insert
        ? "INSERT INTO oidc_providers (id, name, issuer, client_id, client_secret_encrypted, scopes, allowed_domains,"
            + " allowed_groups, admin_groups, groups_claim, enabled, created_at, updated_at) VALUES (:id, :name, :issuer,"
            + " :clientId, :secret, :scopes, CAST(:domains AS jsonb), CAST(:groups AS jsonb), CAST(:admins AS jsonb),"
            + " :groupsClaim, :enabled, :created, :updated)"
        : "UPDATE oidc_providers SET name = :name, issuer = :issuer, client_id = :clientId,"
            + " client_secret_encrypted = :secret, scopes = :scopes, allowed_domains = CAST(:domains AS jsonb),"
            + " allowed_groups = CAST(:groups AS jsonb), admin_groups = CAST(:admins AS jsonb),"
            + " groups_claim = :groupsClaim, enabled = :enabled, updated_at = :updated WHERE id = :id";
    var spec = db.sql(sql).bind("id", p.id()).bind("name", p.name()).bind("issuer", p.issuer())
        .bind("clientId", p.clientId()).bind("secret", p.clientSecretSealed()).bind("scopes", p.scopes())
        .bind("domains", json.writeValueAsString(p.allowedDomains()))
        .bind("groups", json.writeValueAsString(p.allowedGroups()))
        .bind("admins", json.writeValueAsString(p.adminGroups())).bind("groupsClaim", p.groupsClaim())
        .bind("enabled", p.enabled()).bind("updated", p.updatedAt());
    if (insert) {
      spec = spec.bind("created", p.createdAt());
    }
    return spec.fetch().rowsUpdated().thenReturn(p);
  }

  Mono<Boolean> delete(UUID id) {
    return db.sql("DELETE FROM oidc_providers WHERE id = :id").bind("id", id).fetch().rowsUpdated().map(n -> n > 0);
  }

  Mono<Void> startLogin(byte[] stateHash, Login login, Instant expiresAt) {
    var spec = db.sql("INSERT INTO oidc_logins (state_hash, browser_hash, provider_id, nonce, code_verifier_encrypted,"
            + " next, expires_at) VALUES (:state, :browser, :provider, :nonce, :verifier, :next, :expires)")
        .bind("state", stateHash).bind("browser", login.browserHash()).bind("provider", login.providerId())
        .bind("nonce", login.nonce()).bind("verifier", login.codeVerifierSealed()).bind("expires", expiresAt);
    spec = login.next() == null ? spec.bindNull("next", String.class) : spec.bind("next", login.next());
    return db.sql("DELETE FROM oidc_logins WHERE expires_at < now()").fetch().rowsUpdated().then(spec.fetch().rowsUpdated())
        .then();
  }

  /** The sign-in of this state, taken (a state is used once), or empty when unknown or expired. */
  Mono<Login> takeLogin(byte[] stateHash) {
    return db.sql("DELETE FROM oidc_logins WHERE state_hash = :state AND expires_at > now()"
            + " RETURNING provider_id, browser_hash, nonce, code_verifier_encrypted, next")
        .bind("state", stateHash)
        .map(row -> new Login(row.get("provider_id", UUID.class), row.get("browser_hash", byte[].class),
            row.get("nonce", String.class), row.get("code_verifier_encrypted", String.class), row.get("next", String.class)))
        .one();
  }

  Mono<UUID> userOf(UUID providerId, String subject) {
    return db.sql("SELECT user_id FROM user_identities WHERE provider_id = :provider AND subject = :subject")
        .bind("provider", providerId).bind("subject", subject).map(row -> row.get("user_id", UUID.class)).one();
  }

  Mono<Void> unlinkAll(UUID providerId) {
    return db.sql("DELETE FROM user_identities WHERE provider_id = :provider").bind("provider", providerId)
        .fetch().rowsUpdated().then();
  }

  Mono<Void> link(UUID providerId, String subject, UUID userId) {
    return db.sql("INSERT INTO user_identities (provider_id, subject, user_id) VALUES (:provider, :subject, :user)"
            + " ON CONFLICT (provider_id, subject) DO NOTHING")
        .bind("provider", providerId).bind("subject", subject).bind("user", userId).fetch().rowsUpdated().then();
  }
}
