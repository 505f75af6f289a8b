package dev.orca.gateway.deployment;

import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What each deployment ran, kept per application and digest (the projector writes it from
 * deploy-requests): the commit, the compose file and the files it carried, sealed at rest, and the
 * environment as its agent got it (sealed for {@code environmentAgentId}). A rollback deploys it
 * again; the history compares two deployments with it.
 */
@Component
public class DeploymentContents {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<TreeMap<String, String>> FILES = new TypeReference<>() {};

  private final DatabaseClient db;
  private final SecretBox secrets;

  DeploymentContents(DatabaseClient db, SecretBox secrets) {
    this.db = db;
    this.secrets = secrets;
  }

  /**
   * One deployment's contents; {@code files} by path relative to the compose file's folder, in path
   * order; {@code environment} null when it had no variables.
   */
  public record Content(String digest, String commit, String commitMessage, String compose,
      SortedMap<String, byte[]> files, byte[] environment, String environmentAgentId) {

    /** The files as Avro carries them. */
    public Map<String, ByteBuffer> filesForAvro() {
      Map<String, ByteBuffer> carried = new LinkedHashMap<>();
      files.forEach((path, content) -> carried.put(path, ByteBuffer.wrap(content)));
      return carried;
    }

    /**
     * These contents as a deployment at {@code deploymentCommit} ran them: kept once per digest, they
     * name the first commit that ran it, which may be another (then the message is not known).
     */
    public Content at(String deploymentCommit) {
      if (deploymentCommit == null || deploymentCommit.equals(commit)) {
        return this;
      }
      return new Content(digest, deploymentCommit, null, compose, files, environment, environmentAgentId);
    }

    /** Never prints the files or the environment. */
    @Override
    public String toString() {
      return "Content[digest=" + digest + ", commit=" + commit + ", files=" + files.keySet() + "]";
    }
  }

  /** The contents an application's deployment of {@code digest} ran, or empty when none were recorded. */
  public Mono<Content> find(UUID applicationId, String digest) {
    return db.sql("SELECT digest, commit_sha, commit_message, compose_encrypted, files_encrypted, environment_sealed,"
            + " environment_agent_id FROM deployment_contents WHERE application_id = :id AND digest = :digest")
        .bind("id", applicationId).bind("digest", digest)
        .map(this::content)
        .one();
  }

  private Content content(Readable r) {
    return new Content(r.get("digest", String.class), r.get("commit_sha", String.class),
        r.get("commit_message", String.class), secrets.decrypt(r.get("compose_encrypted", String.class)),
        decodeFiles(secrets.decrypt(r.get("files_encrypted", String.class))), r.get("environment_sealed", byte[].class),
        r.get("environment_agent_id", String.class));
  }

  /** The files as stored (before sealing): a JSON object of path to base64 content; null for none. */
  public static String encodeFiles(Map<String, ByteBuffer> files) {
    if (files == null || files.isEmpty()) {
      return null;
    }
    TreeMap<String, String> encoded = new TreeMap<>();
    files.forEach((path, content) -> encoded.put(path, Base64.getEncoder().encodeToString(bytes(content))));
    return JSON.writeValueAsString(encoded);
  }

  /** The bytes an Avro buffer holds, read without moving its position. */
  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  static SortedMap<String, byte[]> decodeFiles(String stored) {
    if (stored == null) {
      return Collections.emptySortedMap();
    }
    SortedMap<String, byte[]> files = new TreeMap<>();
    JSON.readValue(stored, FILES).forEach((path, content) -> files.put(path, Base64.getDecoder().decode(content)));
    return files;
  }
}
