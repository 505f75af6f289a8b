package dev.orca.gateway.repository;

import dev.orca.schemas.crypto.SecretBox;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Re-seals repositories' secrets under the current key for a key rotation, through the store's
 * own write, so the change is published and sync-stream's copy follows.
 */
@Component
public class RepositoryResealing {

  private final DatabaseClient db;
  private final RepositoryStore store;
  private final SecretBox secrets;

  RepositoryResealing(DatabaseClient db, RepositoryStore store, SecretBox secrets) {
    this.db = db;
    this.store = store;
    this.secrets = secrets;
  }

  private record Sealed(UUID id, long revision, String secret, String webhook) {}

  /** How many repositories it re-sealed; each is re-read, so an edit made meanwhile wins and waits for the next pass. */
  public Mono<Integer> resealAll() {
    return db.sql("SELECT id, revision, secret_encrypted, webhook_secret_encrypted FROM repositories")
        .map(row -> new Sealed(row.get("id", UUID.class), row.get("revision", Long.class),
            row.get("secret_encrypted", String.class), row.get("webhook_secret_encrypted", String.class)))
        .all()
        .filter(row -> !secrets.isCurrent(row.secret()) || !secrets.isCurrent(row.webhook()))
        .concatMap(row -> store.reseal(row.id(), row.revision(), sealed -> secrets.isCurrent(sealed) ? sealed
            : secrets.reseal(sealed)).map(revision -> 1).defaultIfEmpty(0))
        .reduce(0, Integer::sum);
  }
}
