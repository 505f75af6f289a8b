package dev.orca.gateway.crypto;

import dev.orca.gateway.repository.RepositoryResealing;
import dev.orca.gateway.support.BackgroundLoop;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A key rotation, done while Orca serves: started with the new {@code APP_SECRET} and the old one
 * in {@code ORCA_APP_SECRET_PREVIOUS}, every gateway re-seals in the background each stored value
 * that another key sealed (repositories' secrets through their normal write, so their published
 * configuration follows; applications' names, compose files and image-webhook secrets; agents'
 * environment keys; OIDC client secrets and sign-ins in flight; audit log changes). Reads go on
 * with either key meanwhile; names are re-indexed under the new key at start
 * ({@code ApplicationNameIndexes}). Once {@link #pending()} is 0 everywhere, the previous
 * secret can go. Values of the first format, without a key id, are re-sealed the same way.
 */
@Component
public class KeyRotation implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

  /** Table, key column, sealed column: every value sealed with SecretBox, but repositories'. */
  private static final List<String[]> SEALED = List.of(
      new String[] {"applications", "id", "name_encrypted"},
      new String[] {"applications", "id", "compose_encrypted"},
      new String[] {"applications", "id", "previous_compose_encrypted"},
      new String[] {"applications", "id", "image_webhook_secret_encrypted"},
      new String[] {"deployment_contents", "id", "compose_encrypted"},
      new String[] {"deployment_contents", "id", "files_encrypted"},
      new String[] {"notification_channels", "id", "url_encrypted"},
      new String[] {"notification_channels", "id", "secret_encrypted"},
      new String[] {"notification_channels", "id", "email_password_encrypted"},
      new String[] {"agents", "id", "environment_key_encrypted"},
      new String[] {"oidc_providers", "id", "client_secret_encrypted"},
      new String[] {"oidc_logins", "state_hash", "code_verifier_encrypted"},
      new String[] {"audit_log", "id", "changes_encrypted"},
      new String[] {"repositories", "id", "secret_encrypted"},
      new String[] {"repositories", "id", "webhook_secret_encrypted"});

  private final DatabaseClient db;
  private final SecretBox secrets;
  private final RepositoryResealing repositories;
  private final byte[] currentHeader;
  private final BackgroundLoop loop;
  private volatile long lastPending = -1;

  private final Duration firstAfter;
  private final NameIndexing names;

  /** Re-computes the applications' name index under the current key (ApplicationNameIndexes). */
  public interface NameIndexing {
    int reindex();
  }

  KeyRotation(DatabaseClient db, SecretBox secrets, RepositoryResealing repositories, NameIndexing names,
      @org.springframework.beans.factory.annotation.Value("${orca.key-rotation.first-after:PT5S}") Duration firstAfter) {
    this.db = db;
    this.secrets = secrets;
    this.repositories = repositories;
    this.names = names;
    this.firstAfter = firstAfter;
    Keys current = secrets.ring().current();
    this.currentHeader = ByteBuffer.allocate(5).put((byte) 2).put(current.id()).array();
    this.loop = new BackgroundLoop("orca-key-rotation", Duration.ofMinutes(1), log, "re-sealing under the current key",
        () -> {
          // Without previous keys nothing is re-sealed (values of the first format stay readable, and
          // a rollback keeps them); with them, every minute: gateways not restarted yet may still
          // seal with the old key, and write names indexed under it.
          if (!secrets.ring().previous().isEmpty()) {
            names.reindex();
            pass().block(Duration.ofMinutes(30));
          }
        });
  }

  /** The id of the key new values are sealed with, and of the previous ones still read. */
  public String currentKeyId() {
    return secrets.ring().current().idText();
  }

  public List<String> previousKeyIds() {
    return secrets.ring().previous().stream().map(Keys::idText).toList();
  }

  /** How many stored values another key (or the first format) sealed: 0 once a rotation is done. */
  public Mono<Long> pending() {
    return Flux.fromIterable(SEALED)
        .concatMap(column -> db.sql("SELECT count(*) AS n FROM " + column[0] + " WHERE " + notCurrent(column[2]))
            .bind("header", currentHeader).map(row -> row.get("n", Long.class)).one())
        .reduce(0L, Long::sum);
  }

  /** One pass over everything; how many values it re-sealed. */
  Mono<Long> pass() {
    Mono<Long> others = Flux.fromIterable(SEALED)
        .filter(column -> !column[0].equals("repositories"))
        .concatMap(this::resealColumn)
        .reduce(0L, Long::sum);
    Mono<Long> ofRepositories = repositories.resealAll().map(Integer::longValue)
        .onErrorResume(e -> {
          log.warn("cannot re-seal repositories' secrets: {}", e.toString());
          return Mono.just(0L);
        });
    return ofRepositories
        .flatMap(resealed -> others.map(more -> resealed + more))
        .flatMap(resealed -> pending().map(left -> {
          if (resealed > 0) {
            log.info("re-sealed {} stored values under key {}; {} left", resealed, currentKeyId(), left);
          }
          if (left == 0 && lastPending != 0 && !secrets.ring().previous().isEmpty()) {
            log.info("every stored value is sealed with key {}: ORCA_APP_SECRET_PREVIOUS (keys {}) can be removed",
                currentKeyId(), previousKeyIds());
          }
          lastPending = left;
          return resealed;
        }));
  }

  private Mono<Long> resealColumn(String[] column) {
    String table = column[0];
    String key = column[1];
    String sealed = column[2];
    java.util.concurrent.atomic.AtomicLong unopened = new java.util.concurrent.atomic.AtomicLong();
    return db.sql("SELECT " + key + " AS k, " + sealed + " AS v FROM " + table + " WHERE " + notCurrent(sealed))
        .bind("header", currentHeader)
        .map(row -> new Object[] {row.get("k"), row.get("v", String.class)})
        .all()
        .concatMap(found -> {
          String resealed;
          try {
            resealed = secrets.reseal((String) found[1]);
          } catch (SecretBox.DecryptionException | IllegalArgumentException e) {
            unopened.incrementAndGet();
            return Mono.just(0L);
          }
          // Only if nobody changed it meanwhile: a newer value is sealed with the current key already.
          return db.sql("UPDATE " + table + " SET " + sealed + " = :resealed WHERE " + key + " = :key AND " + sealed
                  + " = :old")
              .bind("resealed", resealed).bind("key", found[0]).bind("old", found[1])
              .fetch().rowsUpdated();
        })
        .reduce(0L, Long::sum)
        .doOnSuccess(done -> {
          if (unopened.get() > 0) {
            log.warn("{} values of {}.{} open with no key of this APP_SECRET or ORCA_APP_SECRET_PREVIOUS: they stay"
                + " as they are, and counted", unopened.get(), table, sealed);
          }
        })
        .onErrorResume(e -> {
          log.warn("cannot re-seal {}.{}: {}", table, sealed, e.toString());
          return Mono.just(0L);
        });
  }

  /**
   * Rows whose value is set and not of the current format and key, read from the value's first
   * bytes; a value that is not base64 counts as not current, and never stops the query.
   */
  private static String notCurrent(String column) {
    return column + " IS NOT NULL AND (CASE WHEN " + column + " ~ '^[A-Za-z0-9+/]*={0,2}$' AND length(" + column
        + ") % 4 = 0 THEN substring(decode(" + column + ", 'base64') FROM 1 FOR 5) END) IS DISTINCT FROM :header";
  }

  @Override
  public void start() {
    loop.start(firstAfter);
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
