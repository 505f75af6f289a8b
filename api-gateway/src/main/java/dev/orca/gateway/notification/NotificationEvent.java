package dev.orca.gateway.notification;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a channel can be told about, by the names the API uses. */
public enum NotificationEvent {
  DEPLOYMENT_SUCCEEDED("deployment_succeeded"),
  DEPLOYMENT_FAILED("deployment_failed"),
  HEALTH_DEGRADED("health_degraded"),
  SYNC_FAILED("sync_failed"),
  AGENT_OFFLINE("agent_offline"),
  AGENT_ONLINE("agent_online"),
  IMAGE_UPDATED("image_updated");

  private final String apiName;

  NotificationEvent(String apiName) {
    this.apiName = apiName;
  }

  public String apiName() {
    return apiName;
  }

  public static Optional<NotificationEvent> of(String apiName) {
    return Arrays.stream(values()).filter(e -> e.apiName.equals(apiName)).findFirst();
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(NotificationEvent::apiName).toList();
  }
}
