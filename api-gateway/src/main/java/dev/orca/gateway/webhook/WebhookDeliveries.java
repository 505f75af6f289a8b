package dev.orca.gateway.webhook;

import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The webhook_deliveries table: which provider delivery ids (and GitHub Actions token ids) were
 * accepted and the sync each started, so a redelivery starts no second sync. Rows older than 7 days are pruned as new
 * ones arrive.
 */
@Component
public class WebhookDeliveries {

  /** Providers' ids are UUIDs or similar; a longer one is cut, never refused. */
  static final int MAX_ID_LENGTH = 200;

  private final DatabaseClient db;

  WebhookDeliveries(DatabaseClient db) {
    this.db = db;
  }

  /**
   * Records the delivery as starting {@code syncId}; answers the sync id that owns it, which is
   * another one when the delivery was accepted before.
   */
  public Mono<String> claim(UUID repositoryId, String deliveryId, String syncId) {
    String id = cut(deliveryId);
    return db.sql("WITH pruned AS (DELETE FROM webhook_deliveries WHERE received_at < now() - interval '7 days')"
            + " INSERT INTO webhook_deliveries (repository_id, delivery_id, sync_id, received_at)"
            + " VALUES (:repository, :delivery, :sync, now())"
            + " ON CONFLICT (repository_id, delivery_id) DO NOTHING RETURNING sync_id")
        .bind("repository", repositoryId).bind("delivery", id).bind("sync", syncId)
        .map(row -> row.get("sync_id", String.class)).one()
        .switchIfEmpty(Mono.defer(() -> db.sql("SELECT sync_id FROM webhook_deliveries"
                + " WHERE repository_id = :repository AND delivery_id = :delivery")
            .bind("repository", repositoryId).bind("delivery", id)
            .map(row -> row.get("sync_id", String.class)).one()))
        .defaultIfEmpty(syncId);
  }

  /** Forgets a claim whose sync could not be published, so the provider's retry starts it. */
  public Mono<Void> release(UUID repositoryId, String deliveryId, String syncId) {
    return db.sql("DELETE FROM webhook_deliveries WHERE repository_id = :repository AND delivery_id = :delivery"
            + " AND sync_id = :sync")
        .bind("repository", repositoryId).bind("delivery", cut(deliveryId)).bind("sync", syncId)
        .fetch().rowsUpdated().then();
  }

  private static String cut(String deliveryId) {
    return deliveryId.length() > MAX_ID_LENGTH ? deliveryId.substring(0, MAX_ID_LENGTH) : deliveryId;
  }
}
