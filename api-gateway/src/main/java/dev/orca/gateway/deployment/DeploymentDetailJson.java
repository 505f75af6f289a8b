package dev.orca.gateway.deployment;

import dev.orca.gateway.crypto.BlindIndex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * One deployment as {@link DeploymentJson} has it, with what it ran: its commit message, compose
 * file and the files it carried (path, size and a fingerprint of each; their content is never
 * returned, a file may hold secrets, and the fingerprint is keyed with APP_SECRET so that a short
 * secret file's content cannot be confirmed by guessing). {@code commitMessage} is the message of
 * the deployment's commit when it was recorded with it. {@code composeFile} and {@code files} are null when what it ran was not
 * recorded (deployments made before Orca kept it).
 */
public record DeploymentDetailJson(String id, UUID applicationId, String agentId, long generation, String reason,
    String actor, String commit, String commitMessage, String digest, String state, String outcome, String error,
    Instant startedAt, Instant endedAt, Instant deadline, Instant updatedAt, String composeFile, List<FileJson> files) {

  /** A file the deployment carried, by path relative to the compose file's folder. */
  public record FileJson(String path, long size, String fingerprint) {}

  public static DeploymentDetailJson of(DeploymentJson d, DeploymentContents.Content content, BlindIndex keyed) {
    List<FileJson> files = content == null ? null : content.files().entrySet().stream()
        .map(file -> new FileJson(file.getKey(), file.getValue().length, keyed.of(sha256(file.getValue()))))
        .toList();
    // The contents are kept per digest: the first commit that ran it may be another than this one's.
    String message = content != null && content.commit().equals(d.commit()) ? content.commitMessage() : null;
    return new DeploymentDetailJson(d.id(), d.applicationId(), d.agentId(), d.generation(), d.reason(), d.actor(),
        d.commit(), message, d.digest(), d.state(), d.outcome(), d.error(),
        d.startedAt(), d.endedAt(), d.deadline(), d.updatedAt(), content == null ? null : content.compose(), files);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
