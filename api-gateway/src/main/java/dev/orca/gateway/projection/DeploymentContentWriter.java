package dev.orca.gateway.projection;

import dev.orca.gateway.deployment.DeploymentContents;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.crypto.SecretBox;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * DeployRequested → what a deployment of its digest runs (see {@link DeploymentContents}), once per
 * application and digest, and only while the application exists: contents go with their application.
 */
final class DeploymentContentWriter {

  private static final Logger log = LoggerFactory.getLogger(DeploymentContentWriter.class);

  private final DatabaseClient db;
  private final SecretBox secrets;

  DeploymentContentWriter(DatabaseClient db, SecretBox secrets) {
    this.db = db;
    this.secrets = secrets;
  }

  Mono<Void> apply(DeployRequested request) {
    var applicationId = Sql.uuid(request.getApplicationId());
    if (applicationId.isEmpty()) {
      log.warn("ignoring DeployRequested {} for malformed application id {}", request.getRequestId(),
          request.getApplicationId());
      return Mono.empty();
    }
    var environment = request.getSettings() == null ? null : request.getSettings().getEnvironment();
    var spec = db.sql("INSERT INTO deployment_contents (id, application_id, digest, commit_sha, commit_message,"
            + " compose_encrypted, files_encrypted, environment_sealed, environment_agent_id, created_at)"
            + " SELECT :id, :applicationId, :digest, :commit, :message, :compose, :files, :environment, :agent, :at"
            + " WHERE EXISTS (SELECT 1 FROM applications WHERE id = :applicationId)"
            + " ON CONFLICT (application_id, digest) DO NOTHING")
        .bind("id", UUID.randomUUID())
        .bind("applicationId", applicationId.get())
        .bind("digest", request.getDigest())
        .bind("commit", request.getCommit())
        .bind("compose", secrets.encrypt(request.getCompose()))
        .bind("agent", request.getAgentId())
        .bind("at", request.getAt());
    spec = Sql.bind(spec, "message", request.getCommitMessage(), String.class);
    String files = DeploymentContents.encodeFiles(request.getFiles());
    spec = Sql.bind(spec, "files", files == null ? null : secrets.encrypt(files), String.class);
    spec = environment == null ? spec.bindNull("environment", byte[].class) : spec.bind("environment", DeploymentContents.bytes(environment));
    return spec.fetch().rowsUpdated().then();
  }
}
