package dev.orca.schemas;

import dev.orca.schemas.avro.AgentConfig;
import dev.orca.schemas.avro.AgentRetired;
import dev.orca.schemas.avro.PinReleased;
import dev.orca.schemas.avro.AgentRetirementSeen;
import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationRemovalFinished;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployCommand;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.DeployResult;
import dev.orca.schemas.avro.DeploymentChanged;
import dev.orca.schemas.avro.HealthReport;
import dev.orca.schemas.avro.ImageUpdateFound;
import dev.orca.schemas.avro.Heartbeat;
import dev.orca.schemas.avro.PullImagesCommand;
import dev.orca.schemas.avro.RemoveCommand;
import dev.orca.schemas.avro.RemoveRequested;
import dev.orca.schemas.avro.RemoveResult;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.SyncRequested;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Every message type that travels on a topic. */
public final class Messages {
  private Messages() {}

  public static final List<Class<? extends SpecificRecord>> ALL = List.of(
      RepositoryConfig.class, ApplicationConfig.class, AgentConfig.class,
      SyncRequested.class, DeployRequested.class, RemoveRequested.class, AgentRetired.class, PinReleased.class,
      RepositoryStatusChanged.class, ApplicationStatusChanged.class, DeploymentChanged.class,
      ApplicationRemovalFinished.class, AgentRetirementSeen.class,
      DeployCommand.class, RemoveCommand.class, PullImagesCommand.class,
      DeployResult.class, RemoveResult.class, HealthReport.class, Heartbeat.class, ImageUpdateFound.class);
}
