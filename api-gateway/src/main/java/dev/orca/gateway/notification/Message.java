package dev.orca.gateway.notification;

import dev.orca.gateway.agent.AgentJson;
import dev.orca.gateway.application.ApplicationJson;
import dev.orca.gateway.deployment.DeploymentJson;
import dev.orca.gateway.repository.RepositoryJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One notification as every channel says it: a title and a line or two for people (chat, email,
 * push), and the JSON a generic webhook receives ({@code {event, at, application?, repository?,
 * agent?, deployment?}}, the entities as their GETs return them, plus {@code detail}, the error or
 * state the message quotes). {@code link} is the dashboard's page of it, null without a public URL.
 */
record Message(String event, String eventId, String title, String text, String link, boolean problem,
    Map<String, Object> payload) {

  /** What a delivery names, read when it is sent (any may be gone by then: null). */
  record Subject(ApplicationJson application, RepositoryJson repository, AgentJson agent, DeploymentJson deployment) {}

  static Message of(String event, String eventId, Instant at, String detail, Subject s, String publicUrl) {
    String app = s.application() != null ? s.application().name() : "an application";
    String agent = s.agent() != null ? s.agent().name() : "its agent";
    String sha = s.deployment() != null && s.deployment().commit() != null ? shortSha(s.deployment().commit()) : null;
    String title;
    String text;
    boolean problem = false;
    switch (event) {
      case "deployment_succeeded" -> {
        title = app + " deployed" + (sha == null ? "" : " at " + sha);
        text = app + " runs " + (sha == null ? "its new deployment" : "commit " + sha) + " on " + agent + ".";
      }
      case "deployment_failed" -> {
        problem = true;
        title = app + ": deployment failed";
        text = "The deployment of " + (sha == null ? app : "commit " + sha) + " on " + agent + " failed"
            + (detail == null ? "." : ": " + detail);
      }
      case "health_degraded" -> {
        problem = true;
        title = app + " is " + (detail == null ? "unhealthy" : detail);
        text = app + " on " + agent + " is " + (detail == null ? "unhealthy" : detail) + ", outside any deployment.";
      }
      case "sync_failed" -> {
        problem = true;
        String repository = s.repository() != null ? s.repository().name() : "a repository";
        title = repository + ": sync failed";
        text = "Orca could not sync " + repository + (detail == null ? "." : ": " + detail);
      }
      case "agent_offline" -> {
        problem = true;
        title = "Agent " + agent + " is offline";
        text = "Agent " + agent + " stopped sending heartbeats" + (detail == null ? "." : " (" + detail + ").");
      }
      case "agent_online" -> {
        title = "Agent " + agent + " is back online";
        text = "Agent " + agent + " sends heartbeats again.";
      }
      case "image_updated" -> {
        title = app + ": new images deployed";
        text = app + " on " + agent + " runs the new images its tags name now.";
      }
      default -> {
        title = "Test notification from Orca";
        text = "This channel works: Orca can reach it. (" + (detail == null ? "test" : detail) + ")";
      }
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("event", event);
    payload.put("at", at);
    if (s.application() != null) {
      payload.put("application", s.application());
    }
    if (s.repository() != null) {
      payload.put("repository", s.repository());
    }
    if (s.agent() != null) {
      payload.put("agent", s.agent());
    }
    if (s.deployment() != null) {
      payload.put("deployment", s.deployment());
    }
    if (detail != null) {
      payload.put("detail", detail);
    }
    return new Message(event, eventId, title, text, link(publicUrl, s), problem, payload);
  }

  private static String link(String publicUrl, Subject s) {
    if (publicUrl == null || publicUrl.isBlank()) {
      return null;
    }
    String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    if (s.application() != null) {
      return base + "/applications/" + s.application().id();
    }
    if (s.repository() != null) {
      return base + "/repositories/" + s.repository().id();
    }
    if (s.agent() != null) {
      return base + "/agents";
    }
    return base + "/";
  }

  private static String shortSha(String sha) {
    return sha.length() > 7 ? sha.substring(0, 7) : sha;
  }

  /** The text with its link, for channels that take plain text. */
  String textWithLink() {
    return link == null ? text : text + "\n" + link;
  }
}
