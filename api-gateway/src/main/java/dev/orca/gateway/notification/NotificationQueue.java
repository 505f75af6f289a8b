package dev.orca.gateway.notification;

import java.time.Instant;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import reactor.core.publisher.Mono;

/**
 * Queues notifications in the caller's transaction: the projector's, while it writes the event
 * that causes them, so a notification is queued exactly when its event is recorded, and a replayed
 * event queues nothing twice ({@code eventId} is unique per channel).
 *
 * <p>A channel gets an event it subscribes to when it names no application and no repository, or
 * names the application, its repository, or (for an agent's event) an application on that agent.
 * With a {@code fingerprint}, a channel told the same fingerprint about the same subject and event
 * last time is not told again (a repeat of the same failure) until it changes or {@link #recovered}.
 */
public final class NotificationQueue {

  private NotificationQueue() {}

  /**
   * One event to tell channels about. {@code subject} names what it is about for suppression
   * (say {@code application:<id>}); {@code detail} is the error or state a message quotes.
   */
  public record Trigger(NotificationEvent event, String eventId, UUID applicationId, UUID repositoryId, String agentId,
      String deploymentId, String detail, Instant at, String subject, String fingerprint) {}

  private static final String ENQUEUE = "WITH subject_apps AS ("
      + "  SELECT id, repository_id FROM applications"
      + "  WHERE id = :app OR (CAST(:app AS uuid) IS NULL AND (repository_id = :repo OR agent_id = :agent))),"
      + " targets AS ("
      + "  SELECT c.id FROM notification_channels c"
      + "  WHERE c.enabled AND :event = ANY(c.events)"
      + "  AND ((cardinality(c.application_ids) = 0 AND cardinality(c.repository_ids) = 0)"
      + "    OR CAST(:repo AS uuid) = ANY(c.repository_ids)"
      + "    OR EXISTS (SELECT 1 FROM subject_apps s WHERE s.id = ANY(c.application_ids)"
      + "      OR s.repository_id = ANY(c.repository_ids)))"
      + "  AND (CAST(:fingerprint AS text) IS NULL OR NOT EXISTS (SELECT 1 FROM notification_suppressions n"
      + "    WHERE n.channel_id = c.id AND n.subject = :subject AND n.event = :event"
      + "    AND n.fingerprint = CAST(:fingerprint AS text)))),"
      + " suppressed AS ("
      + "  INSERT INTO notification_suppressions (channel_id, subject, event, fingerprint)"
      + "  SELECT id, :subject, :event, CAST(:fingerprint AS text) FROM targets WHERE CAST(:fingerprint AS text) IS NOT NULL"
      + "  ON CONFLICT (channel_id, subject, event) DO UPDATE SET fingerprint = EXCLUDED.fingerprint)"
      + " INSERT INTO notification_deliveries (channel_id, event_id, event, application_id, repository_id, agent_id,"
      + "  deployment_id, detail, occurred_at, next_attempt_at)"
      + " SELECT id, :eventId, :event, :app, :repo, :agent, :deployment, :detail, :at, now() FROM targets"
      + " ON CONFLICT (channel_id, event_id) DO NOTHING";

  /** Queues the trigger for every channel it reaches; returns how many deliveries were queued. */
  public static Mono<Long> enqueue(DatabaseClient db, Trigger t) {
    GenericExecuteSpec spec = db.sql(ENQUEUE)
        .bind("event", t.event().apiName())
        .bind("eventId", t.eventId())
        .bind("subject", t.subject())
        .bind("at", t.at());
    spec = bind(spec, "app", t.applicationId(), UUID.class);
    spec = bind(spec, "repo", t.repositoryId(), UUID.class);
    spec = bind(spec, "agent", t.agentId(), String.class);
    spec = bind(spec, "deployment", t.deploymentId(), String.class);
    spec = bind(spec, "detail", t.detail() == null ? null : truncate(t.detail()), String.class);
    spec = bind(spec, "fingerprint", t.fingerprint() == null ? null : truncate(t.fingerprint()), String.class);
    return spec.fetch().rowsUpdated();
  }

  /** The subject recovered from {@code event}: the next one is told again, even with the same fingerprint. */
  public static Mono<Long> recovered(DatabaseClient db, String subject, NotificationEvent event) {
    return db.sql("DELETE FROM notification_suppressions WHERE subject = :subject AND event = :event")
        .bind("subject", subject).bind("event", event.apiName())
        .fetch().rowsUpdated();
  }

  private static String truncate(String text) {
    return text.length() <= 2000 ? text : text.substring(0, 2000) + "…";
  }

  private static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, Object value, Class<?> type) {
    return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
  }
}
