package dev.orca.gateway.notification;

import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.application.ApplicationJson;
import dev.orca.gateway.application.ApplicationViews;
import dev.orca.gateway.deployment.DeploymentStore;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.support.BackgroundLoop;
import dev.orca.gateway.system.OrcaProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The notifier: sends the queued deliveries. Every second it claims those due (for a lease, with
 * {@code SKIP LOCKED}, so several gateways share the queue and a delivery whose sender died is
 * claimed again after the lease), at most {@link #MAX_IN_FLIGHT} at a time, and sends each on its
 * own on a bounded pool: a receiver that is down or slow holds its own deliveries, nobody else's.
 * A failed delivery is tried again after 10 s, 20 s, 40 s… (at most 30 minutes apart), up to
 * {@link #MAX_ATTEMPTS} times, then given up as failed. Sent and failed deliveries are kept two
 * weeks for the channel's log.
 */
@Component
public class NotificationSender implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

  static final int MAX_ATTEMPTS = 8;
  static final int MAX_IN_FLIGHT = 32;
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  private static final Duration LONGEST_RETRY = Duration.ofMinutes(30);

  private final DatabaseClient db;
  private final NotificationStore store;
  private final ApplicationViews applications;
  private final RepositoryViews repositories;
  private final AgentViews agents;
  private final DeploymentStore deployments;
  private final ChannelSender sender;
  private final String publicUrl;
  private final BackgroundLoop loop;
  private volatile Scheduler pool;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Channels with a delivery in flight here: one at a time per channel, so one slow receiver takes one slot. */
  private final java.util.Set<UUID> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile Instant lastPrune = Instant.EPOCH;

  NotificationSender(DatabaseClient db, NotificationStore store, ApplicationViews applications,
      RepositoryViews repositories, AgentViews agents, DeploymentStore deployments, OrcaProperties properties,
      JsonMapper json) {
    this.db = db;
    this.store = store;
    this.applications = applications;
    this.repositories = repositories;
    this.agents = agents;
    this.deployments = deployments;
    this.publicUrl = properties.publicBaseUrl();
    this.sender = new ChannelSender(properties.egress(), json, TIMEOUT);
    this.loop = new BackgroundLoop("orca-notifier", Duration.ofSeconds(1), log, "sending notifications", this::pass);
  }

  /** A claimed delivery. */
  private record Delivery(long id, UUID channelId, String eventId, String event, UUID applicationId,
      UUID repositoryId, String agentId, String deploymentId, String detail, Instant occurredAt, int attempts) {}

  /** One pass: claims what is due and the pool has room for, and starts sending each. */
  boolean pass() {
    prune();
    int room = MAX_IN_FLIGHT - inFlight.get();
    if (room <= 0) {
      return false;
    }
    // Given up: a delivery claimed MAX_ATTEMPTS times whose sender never recorded an outcome (it died).
    db.sql("UPDATE notification_deliveries SET state = 'failed', last_error = coalesce(last_error, 'no outcome recorded')"
            + " WHERE state = 'pending' AND attempts >= :max AND next_attempt_at <= now()")
        .bind("max", MAX_ATTEMPTS).fetch().rowsUpdated().block(Duration.ofSeconds(30));
    // The oldest due delivery of each enabled channel that has none in flight here, a slot each.
    List<Delivery> claimed = db.sql("UPDATE notification_deliveries SET next_attempt_at = now() + make_interval(secs => :lease),"
            + " attempts = attempts + 1 WHERE id IN (SELECT d.id FROM notification_deliveries d"
            + " WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND d.attempts < :max"
            + " AND d.channel_id <> ALL(CAST(:busy AS uuid[]))"
            + " AND EXISTS (SELECT 1 FROM notification_channels c WHERE c.id = d.channel_id AND c.enabled)"
            + " AND d.id = (SELECT min(o.id) FROM notification_deliveries o WHERE o.channel_id = d.channel_id"
            + "   AND o.state = 'pending' AND o.next_attempt_at <= now() AND o.attempts < :max)"
            + " ORDER BY d.next_attempt_at, d.id LIMIT :room FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, channel_id, event_id, event, application_id, repository_id, agent_id, deployment_id, detail,"
            + " occurred_at, attempts")
        .bind("lease", (double) LEASE.toSeconds())
        .bind("max", MAX_ATTEMPTS)
        .bind("busy", busy.toArray(UUID[]::new))
        .bind("room", room)
        .map(r -> new Delivery(r.get("id", Long.class), r.get("channel_id", UUID.class), r.get("event_id", String.class),
            r.get("event", String.class), r.get("application_id", UUID.class), r.get("repository_id", UUID.class),
            r.get("agent_id", String.class), r.get("deployment_id", String.class), r.get("detail", String.class),
            r.get("occurred_at", Instant.class), r.get("attempts", Integer.class)))
        .all()
        .collectList()
        .block(Duration.ofSeconds(30));
    if (claimed == null || claimed.isEmpty()) {
      return false;
    }
    for (Delivery delivery : claimed) {
      if (!busy.add(delivery.channelId())) {
        continue; // another row of a channel just claimed: its lease runs out and it is claimed again
      }
      inFlight.incrementAndGet();
      deliver(delivery)
          .doFinally(signal -> {
            busy.remove(delivery.channelId());
            inFlight.decrementAndGet();
          })
          .subscribe(null, e -> log.warn("notification delivery {} could not be recorded: {}", delivery.id(), e.toString()));
    }
    return true;
  }

  /**
   * Sends one delivery and records how it went. The send is the one fallible step that decides the
   * outcome: a failure to record "sent" afterwards is only logged (the lease then lets it be claimed
   * again, the one case of a repeat), never turned into a retry of a message that went out. The
   * blocking send is not abandoned on a timer: its own connect and read timeouts bound it, and its
   * slot stays taken until it returns.
   */
  private Mono<Void> deliver(Delivery d) {
    Mono<String> outcome = store.channel(d.channelId())
        .flatMap(channel -> message(d.event(), d.eventId(), d.occurredAt(), d.detail(), d.applicationId(),
                d.repositoryId(), d.agentId(), d.deploymentId())
            .flatMap(message -> attempt(channel, message)))
        .defaultIfEmpty("the channel is gone")
        .onErrorResume(e -> Mono.just(whyNot(e)));
    return outcome.flatMap(error -> error.isEmpty() ? sent(d) : failed(d, error));
  }

  private Mono<Void> sent(Delivery d) {
    return db.sql("UPDATE notification_deliveries SET state = 'sent', sent_at = now(), last_error = NULL"
            + " WHERE id = :id AND attempts = :attempts AND state = 'pending'")
        .bind("id", d.id()).bind("attempts", d.attempts()).fetch().rowsUpdated()
        .then(store.lastDelivery(d.channelId(), "sent", null));
  }

  private Mono<Void> failed(Delivery d, String error) {
    boolean givenUp = d.attempts() >= MAX_ATTEMPTS;
    Duration wait = backoff(d.attempts());
    log.info("notification {} ({}) to channel {} failed (attempt {}{}): {}", d.eventId(), d.event(), d.channelId(),
        d.attempts(), givenUp ? ", given up" : ", again in " + wait.toSeconds() + " s", error);
    return db.sql("UPDATE notification_deliveries SET state = :state, last_error = :error,"
            + " next_attempt_at = now() + make_interval(secs => :wait) WHERE id = :id AND attempts = :attempts"
            + " AND state = 'pending'")
        .bind("id", d.id()).bind("attempts", d.attempts()).bind("state", givenUp ? "failed" : "pending")
        .bind("error", error)
        .bind("wait", (double) wait.toSeconds())
        .fetch().rowsUpdated()
        .then(store.lastDelivery(d.channelId(), givenUp ? "failed" : "retrying", error));
  }

  /** 10 s after the first failure, doubling, at most 30 minutes. */
  static Duration backoff(int attempts) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
    return wait.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : wait;
  }

  /**
   * Sends a test message on the channel now and records how it went; empty when the channel is
   * gone, else the error (empty string: delivered).
   */
  Mono<String> test(UUID channelId, String actor) {
    return store.channel(channelId)
        .flatMap(channel -> message("test", "test:" + UUID.randomUUID(), Instant.now(), "sent by " + actor, null, null,
                null, null)
            .flatMap(message -> attempt(channel, message).onErrorResume(e -> Mono.just(whyNot(e))))
            .flatMap(error -> store.lastDelivery(channelId, error.isEmpty() ? "sent" : "failed",
                error.isEmpty() ? null : error).thenReturn(error)));
  }

  /** One send on the bounded pool: empty text when the receiver took it. */
  private Mono<String> attempt(NotificationStore.Channel channel, Message message) {
    return Mono.fromCallable(() -> {
      sender.send(channel, message);
      return "";
    }).subscribeOn(pool);
  }

  /** Why a send failed, as the log and the test button say it. */
  private static String whyNot(Throwable e) {
    return e instanceof ChannelSender.DeliveryException ? e.getMessage() : "could not send: " + e.getClass().getSimpleName();
  }

  /** Renders what a delivery names as it is now (each may be gone: then left out). */
  private Mono<Message> message(String event, String eventId, Instant at, String detail, UUID applicationId,
      UUID repositoryId, String agentId, String deploymentId) {
    Mono<java.util.Optional<ApplicationJson>> application = applicationId == null ? Mono.just(java.util.Optional.empty())
        : applications.find(applicationId).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty());
    return application.flatMap(app -> {
      UUID repository = repositoryId != null ? repositoryId : app.map(ApplicationJson::repositoryId).orElse(null);
      String agent = agentId != null ? agentId : app.map(ApplicationJson::agentId).orElse(null);
      return Mono.zip(
              repository == null ? Mono.just(java.util.Optional.<dev.orca.gateway.repository.RepositoryJson>empty())
                  : repositories.find(repository).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()),
              agent == null ? Mono.just(java.util.Optional.<dev.orca.gateway.agent.AgentJson>empty())
                  : agents.find(agent).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()),
              deploymentId == null ? Mono.just(java.util.Optional.<dev.orca.gateway.deployment.DeploymentJson>empty())
                  : deployments.find(deploymentId).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()))
          .map(found -> Message.of(event, eventId, at, detail, new Message.Subject(app.orElse(null),
              found.getT1().orElse(null), found.getT2().orElse(null), found.getT3().orElse(null)), publicUrl));
    });
  }

  /** Once an hour: deliveries sent or given up more than two weeks ago go. */
  private void prune() {
    if (Duration.between(lastPrune, Instant.now()).compareTo(Duration.ofHours(1)) < 0) {
      return;
    }
    lastPrune = Instant.now();
    db.sql("DELETE FROM notification_deliveries WHERE state <> 'pending' AND created_at < now() - interval '14 days'")
        .fetch().rowsUpdated().block(Duration.ofSeconds(30));
  }

  @Override
  public void start() {
    pool = Schedulers.newBoundedElastic(MAX_IN_FLIGHT + 4, 100, "orca-notify");
    loop.start(Duration.ofSeconds(1));
  }

  @Override
  public void stop() {
    loop.stop();
    Scheduler running = pool;
    if (running != null) {
      running.dispose();
    }
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
