package dev.orca.agent.heartbeat;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.EngineStatus;
import dev.orca.agent.events.EventPublisher;
import dev.orca.schemas.avro.Heartbeat;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link Heartbeat} keyed by agent id each interval, checking the engine and compose
 * CLI afresh every time so an agent started before its Docker daemon recovers on its own.
 */
public final class HeartbeatPublisher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(HeartbeatPublisher.class);

  private final String agentId;
  private final String agentVersion;
  private final Duration interval;
  private final ComposeRuntime runtime;
  private final EventPublisher events;
  private final Clock clock;
  /** Until the broker has acknowledged one heartbeat, each is written and waited for. */
  private boolean acknowledged;

  public HeartbeatPublisher(String agentId, String agentVersion, Duration interval, ComposeRuntime runtime,
      EventPublisher events, Clock clock) {
    this.agentId = agentId;
    this.agentVersion = agentVersion;
    this.interval = interval;
    this.runtime = runtime;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      EngineStatus status = runtime.status();
      Heartbeat heartbeat = heartbeat(status);
      if (acknowledged) {
        events.publishLater(agentId, heartbeat);
        return;
      }
      // The first one is waited for, so the log says when the agent is connected and reported.
      events.publish(agentId, heartbeat);
      acknowledged = true;
      log.info("Connected: the broker acknowledged the first heartbeat ({})", describe(status));
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again.
      log.warn("Heartbeat failed: {}", e.getMessage(), e);
    }
  }

  /** The heartbeat saying {@code status} now. */
  public Heartbeat heartbeat(EngineStatus status) {
    return Heartbeat.newBuilder()
        .setAgentId(agentId)
        .setDockerAvailable(status.dockerAvailable())
        .setDockerVersion(status.dockerVersion())
        .setComposeCommand(status.composeCommand())
        .setComposeVersion(status.composeVersion())
        .setMessage(status.message())
        .setAgentVersion(agentVersion)
        .setIntervalSeconds((int) Math.max(1, interval.toSeconds()))
        .setAt(clock.instant())
        .build();
  }

  /** "Docker 27.1.1, compose: docker compose 2.29.1", in words for the log. */
  public static String describe(EngineStatus status) {
    return "Docker " + (status.dockerAvailable() ? status.dockerVersion() : "not available") + ", compose: "
        + (status.composeCommand() == null ? "none" : status.composeCommand() + " " + status.composeVersion());
  }
}
