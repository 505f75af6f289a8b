package dev.orca.gateway.application;

import dev.orca.gateway.agent.AgentViews;
import dev.orca.gateway.deployment.DeploymentStore;
import dev.orca.gateway.notification.NotificationStore;
import dev.orca.gateway.repository.RepositoryViews;
import dev.orca.gateway.system.EntityRenderer;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Renders SSE payloads from the current state, exactly as each entity's GET returns it. */
@Component
class EntityViews implements EntityRenderer {

  private final ApplicationViews applications;
  private final RepositoryViews repositories;
  private final AgentViews agents;
  private final DeploymentStore deployments;
  private final NotificationStore notifications;

  EntityViews(ApplicationViews applications, RepositoryViews repositories, AgentViews agents,
      DeploymentStore deployments, NotificationStore notifications) {
    this.notifications = notifications;
    this.applications = applications;
    this.repositories = repositories;
    this.agents = agents;
    this.deployments = deployments;
  }

  @Override
  public Mono<Object> render(String entity, String id) {
    if (entity == null || id == null) {
      return Mono.empty();
    }
    return switch (entity) {
      case "application" -> uuid(id).flatMap(applications::find).cast(Object.class);
      case "repository" -> uuid(id).flatMap(repositories::find).cast(Object.class);
      case "agent" -> agents.find(id).cast(Object.class);
      case "deployment" -> deployments.find(id).cast(Object.class);
      case "notification" -> uuid(id).flatMap(notifications::find).cast(Object.class);
      default -> Mono.empty();
    };
  }

  private static Mono<UUID> uuid(String id) {
    try {
      return Mono.just(UUID.fromString(id));
    } catch (IllegalArgumentException e) {
      return Mono.empty();
    }
  }
}
