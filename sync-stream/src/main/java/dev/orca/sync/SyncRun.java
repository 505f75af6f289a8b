package dev.orca.sync;

import dev.orca.schemas.avro.ApplicationConfig;
import dev.orca.schemas.avro.ApplicationStatusChanged;
import dev.orca.schemas.avro.DeployReason;
import dev.orca.schemas.avro.DeployRequested;
import dev.orca.schemas.avro.RepositoryConfig;
import dev.orca.schemas.avro.RepositoryStatusChanged;
import dev.orca.schemas.avro.RepositorySyncStatus;
import dev.orca.schemas.avro.SyncRequested;
import dev.orca.schemas.avro.SyncStatus;
import dev.orca.schemas.avro.SyncTrigger;
import dev.orca.sync.config.ConfigLookup;
import dev.orca.sync.detect.ChangeDetector;
import dev.orca.git.Commit;
import dev.orca.git.CommitSource;
import dev.orca.git.GitException;
import dev.orca.sync.files.ApplicationFiles;
import dev.orca.sync.files.ApplicationFilesException;
import dev.orca.schemas.ComposeDigest;
import dev.orca.sync.git.RepositorySecrets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one repository after its SYNCING ({@link #syncing}): one fetch, one commit per
 * branch, change detection per application (DeployRequested with the files its compose file
 * references, see {@link ApplicationFiles}, or an application error), then
 * SUCCESS or FAILED. Branches that resolve still dispatch when another branch fails; the
 * repository is FAILED all the same. A manual deploy that cannot start marks its application
 * with why, naming the deployment id. It reads only what it is given, so it can run off the
 * stream thread on copies ({@link ConfigLookup#copyOf}, {@link ChangeDetector#copyOf}).
 */
final class SyncRun {

  private static final Logger log = LoggerFactory.getLogger(SyncRun.class);

  /** Where a run's records go: key and value, in order. */
  interface Emitter {
    void emit(String key, SpecificRecord value);
  }

  private final CommitSource git;
  private final RepositorySecrets secrets;
  private final ConfigLookup config;
  private final ChangeDetector detector;
  private final Clock clock;
  private final Emitter out;

  SyncRun(CommitSource git, RepositorySecrets secrets, ConfigLookup config, ChangeDetector detector, Clock clock,
      Emitter out) {
    this.git = git;
    this.secrets = secrets;
    this.config = config;
    this.detector = detector;
    this.clock = clock;
    this.out = out;
  }

  void run(SyncRequested request) {
    Optional<RepositoryConfig> found = config.repository(request.getRepositoryId());
    String manualId = manualApplication(request);
    if (found.isEmpty()) {
      log.warn("sync {} dropped: repository {} is unknown", request.getSyncId(), request.getRepositoryId());
      if (manualId != null) {
        out.emit(manualId, notStarted(request, "repository " + request.getRepositoryId() + " is unknown"));
      }
      return;
    }
    RepositoryConfig repository = found.get();

    Map<String, List<ApplicationConfig>> byBranch = new LinkedHashMap<>();
    for (ApplicationConfig application : select(request, config.applicationsOf(repository.getId()))) {
      byBranch.computeIfAbsent(application.getBranch(), b -> new ArrayList<>()).add(application);
    }
    if (manualId != null && byBranch.isEmpty()) {
      out.emit(manualId, notStarted(request, whyNotSelected(request, manualId)));
    }
    List<String> failures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!byBranch.isEmpty()) {
      try (CommitSource.Snapshot snapshot = git.fetch(secrets.remote(repository))) {
        for (Map.Entry<String, List<ApplicationConfig>> branch : byBranch.entrySet()) {
          Commit commit;
          try {
            commit = resolve(snapshot, request, branch.getKey());
            if (isStatic(request, branch.getKey()) && !onBranch(snapshot, commit, branch.getKey(), notes)) {
              continue;
            }
          } catch (GitException e) {
            failures.add(e.getMessage());
            // Each application of the branch says why it did not sync (a manual deploy, that its deployment did not start).
            for (ApplicationConfig application : branch.getValue()) {
              out.emit(application.getId(), applicationError(request, application.getId(), e.getMessage()));
            }
            continue;
          }
          List<ApplicationConfig> toSync = new ArrayList<>();
          Map<String, Boolean> contains = new HashMap<>();
          for (ApplicationConfig application : branch.getValue()) {
            try {
              if (isStatic(request, branch.getKey())
                  && olderThanDeployed(snapshot, commit, application, notes, contains)) {
                continue;
              }
            } catch (GitException e) {
              failures.add(e.getMessage());
              continue;
            }
            toSync.add(application);
          }
          Map<String, Optional<byte[]>> files = readComposeFiles(request, toSync, commit, snapshot);
          for (ApplicationConfig application : toSync) {
            syncApplication(request, application, commit, snapshot, files);
          }
        }
      } catch (GitException e) {
        failures.add(e.getMessage());
        if (manualId != null) {
          out.emit(manualId, notStarted(request, e.getMessage()));
        }
      }
    }
    String note = notes.isEmpty() ? null : String.join("; ", notes);
    if (note != null) {
      log.info("sync {} of repository {} ignored part of its trigger: {}", request.getSyncId(), repository.getId(),
          note);
    }
    if (failures.isEmpty()) {
      out.emit(repository.getId(), repositoryStatus(request, RepositorySyncStatus.SUCCESS, null, note));
    } else {
      String error = String.join("; ", failures);
      log.info("sync {} of repository {} failed: {}", request.getSyncId(), repository.getId(), error);
      out.emit(repository.getId(), repositoryStatus(request, RepositorySyncStatus.FAILED, error, note));
    }
  }

  /**
   * A trigger's commit deploys only from the branch it was pushed to: one that the branch's
   * head does not contain (pushed elsewhere, or force-pushed away since) is noted and skipped.
   */
  private static boolean onBranch(CommitSource.Snapshot snapshot, Commit commit, String branch, List<String> notes)
      throws GitException {
    Commit head = snapshot.latest(branch);
    if (snapshot.isAncestor(commit.sha(), head.sha())) {
      return true;
    }
    notes.add("commit " + shortSha(commit.sha()) + " is not on branch " + branch + ", not deployed");
    return false;
  }

  /**
   * An out-of-order or replayed trigger must not roll an application back: a commit that the
   * application's last commit already contains is older, so it is noted and skipped. A last
   * commit that is gone from the branch (history rewritten) does not hold the pushed one back.
   */
  private boolean olderThanDeployed(CommitSource.Snapshot snapshot, Commit commit, ApplicationConfig application,
      List<String> notes, Map<String, Boolean> contains) throws GitException {
    Optional<String> last = detector.lastCommit(application.getId());
    if (last.isEmpty() || last.get().equals(commit.sha())) {
      return false;
    }
    // Applications of a branch mostly share their last commit: each ancestry is asked once.
    Boolean older = contains.get(last.get());
    if (older == null) {
      older = snapshot.isAncestor(commit.sha(), last.get());
      contains.put(last.get(), older);
    }
    if (!older) {
      return false;
    }
    notes.add("commit " + shortSha(commit.sha()) + " is older than " + shortSha(last.get()) + " of application "
        + application.getId() + ", not deployed");
    return true;
  }

  private static boolean isStatic(SyncRequested request, String branch) {
    return request.getCommit() != null && !request.getCommit().isBlank()
        && (request.getBranch() == null || request.getBranch().equals(branch));
  }

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  /** The application of a manual deploy; a deployment id names one application's deployment, so needs applicationId. */
  private static String manualApplication(SyncRequested request) {
    return request.getDeploymentId() != null && request.getApplicationId() != null ? request.getApplicationId() : null;
  }

  /** Why the application a request names was not selected for it. */
  private String whyNotSelected(SyncRequested request, String applicationId) {
    Optional<ApplicationConfig> application = config.application(applicationId)
        .filter(a -> request.getRepositoryId().equals(a.getRepositoryId()));
    if (application.isEmpty()) {
      return "application " + applicationId + " is not configured in repository " + request.getRepositoryId();
    }
    String branch = application.get().getBranch();
    if (branch == null || branch.isBlank()) {
      return "application " + applicationId + " has no branch";
    }
    return "application " + applicationId + " is not on branch " + request.getBranch();
  }

  /** All of the repository's applications, or the one asked for, on the branch asked for; never an empty branch. */
  private static List<ApplicationConfig> select(SyncRequested request, List<ApplicationConfig> applications) {
    List<ApplicationConfig> selected = new ArrayList<>();
    for (ApplicationConfig application : applications) {
      if (application.getBranch() == null || application.getBranch().isBlank()) {
        continue;
      }
      if (request.getApplicationId() != null && !request.getApplicationId().equals(application.getId())) {
        continue;
      }
      if (request.getBranch() != null && !request.getBranch().equals(application.getBranch())) {
        continue;
      }
      selected.add(application);
    }
    return selected;
  }

  /**
   * A static commit applies to the request's branch (to every branch when the request names
   * none). An image update redeploys the commit its application was last sent at, so new images
   * never bring unsynced commits with them (the branch's latest when none was sent yet).
   */
  private Commit resolve(CommitSource.Snapshot snapshot, SyncRequested request, String branch)
      throws GitException {
    if (request.getPullImages() && request.getApplicationId() != null) {
      Optional<String> last = detector.lastCommit(request.getApplicationId());
      if (last.isPresent()) {
        return snapshot.commit(last.get());
      }
    }
    return isStatic(request, branch) ? snapshot.commit(request.getCommit()) : snapshot.latest(branch);
  }

  /**
   * The compose files of the applications that will be sent at this commit, read in one pass over
   * its tree; a failure leaves the map empty and each application reads its own file (and says why).
   */
  private Map<String, Optional<byte[]>> readComposeFiles(SyncRequested request, List<ApplicationConfig> applications,
      Commit commit, CommitSource.Snapshot snapshot) {
    boolean forced = manualApplication(request) != null
        || (request.getTrigger() == SyncTrigger.CONFIGURATION && request.getApplicationId() != null);
    List<String> paths = new ArrayList<>();
    for (ApplicationConfig application : applications) {
      if (detector.isNew(application.getId(), commit.sha(), forced)) {
        paths.add(application.getPath());
      }
    }
    if (paths.size() < 2) {
      return Map.of();
    }
    try {
      return snapshot.readAll(commit, paths);
    } catch (GitException e) {
      return Map.of();
    }
  }

  private void syncApplication(SyncRequested request, ApplicationConfig application, Commit commit,
      CommitSource.Snapshot snapshot, Map<String, Optional<byte[]>> files) {
    boolean manual = manualApplication(request) != null;
    // A configuration change of this application (new agent, path, branch or repository) must
    // reach the agent even at a commit already sent: the stack it runs may be a different one.
    boolean reconfigured = request.getTrigger() == SyncTrigger.CONFIGURATION && request.getApplicationId() != null;
    String id = application.getId();
    if (!detector.isNew(id, commit.sha(), manual || reconfigured)) {
      return;
    }
    Optional<byte[]> compose;
    try {
      compose = files.containsKey(application.getPath())
          ? files.get(application.getPath()) : snapshot.read(commit, application.getPath());
    } catch (GitException e) {
      out.emit(id, applicationError(request, id, e.getMessage()));
      return;
    }
    if (compose.isEmpty()) {
      out.emit(id, applicationError(request, id,
          "compose file " + application.getPath() + " not found at " + commit.sha()));
      return;
    }
    byte[] bytes = compose.get();
    if (bytes.length > ApplicationFiles.MAX_BYTES) {
      out.emit(id, applicationError(request, id, "compose file " + application.getPath() + " at " + commit.sha()
          + " is larger than " + ApplicationFiles.MAX_BYTES / 1024 + " KiB"));
      return;
    }
    SortedMap<String, byte[]> applicationFiles;
    try {
      applicationFiles = ApplicationFiles.gather(snapshot, commit, application.getPath(), bytes);
    } catch (GitException | ApplicationFilesException e) {
      out.emit(id, applicationError(request, id, e.getMessage()));
      return;
    }
    Map<String, ByteBuffer> carried = new LinkedHashMap<>();
    applicationFiles.forEach((path, content) -> carried.put(path, ByteBuffer.wrap(content)));
    String digest = ComposeDigest.of(bytes, applicationFiles, application.getSettings());
    DeployRequested deploy = DeployRequested.newBuilder()
        .setRequestId(UUID.randomUUID().toString())
        .setApplicationId(id)
        .setAgentId(application.getAgentId())
        .setReason(!manual ? DeployReason.SYNC : request.getPullImages() ? DeployReason.IMAGE_UPDATE : DeployReason.MANUAL)
        .setDeploymentId(manual ? request.getDeploymentId() : null)
        .setSyncId(request.getSyncId())
        .setCommit(commit.sha())
        .setCommitMessage(firstLine(commit.message()))
        .setCompose(new String(bytes, StandardCharsets.UTF_8))
        .setFiles(carried)
        .setDigest(digest)
        .setComposeChanged(detector.composeChanged(id, digest, application.getAgentId(), application.getPath(), manual))
        .setSettings(application.getSettings())
        .setPullImages(manual && request.getPullImages())
        .setGenerationFloor(application.getGenerationFloor())
        .setCommitsBehind(commitsBehind(snapshot, application, commit))
        .setActor(request.getActor())
        .setAt(clock.instant())
        .build();
    out.emit(id, deploy);
    detector.sent(id, commit.sha(), digest, application.getAgentId(), application.getPath());
  }

  /** Counted up to this many: a number past it says "far behind" well enough. */
  static final int MAX_COMMITS_BEHIND = 10_000;

  /**
   * For an application pinned by a rollback, how far {@code commit} is ahead of the pinned commit;
   * null when it is not pinned or that cannot be told (a git failure here never fails the sync).
   */
  private static Integer commitsBehind(CommitSource.Snapshot snapshot, ApplicationConfig application, Commit commit) {
    if (application.getPinnedCommit() == null) {
      return null;
    }
    try {
      OptionalInt ahead = snapshot.commitsAhead(application.getPinnedCommit(), commit.sha(), MAX_COMMITS_BEHIND);
      return ahead.isPresent() ? ahead.getAsInt() : null;
    } catch (GitException e) {
      return null;
    }
  }

  /** The repository's status while the sync runs, emitted before it starts. */
  RepositoryStatusChanged syncing(SyncRequested request) {
    return repositoryStatus(request, RepositorySyncStatus.SYNCING, null, null);
  }

  /** The repository's status when the sync ended in an unexpected failure (a bug, not a git error). */
  RepositoryStatusChanged failedUnexpectedly(SyncRequested request, Throwable error) {
    return repositoryStatus(request, RepositorySyncStatus.FAILED, "internal error in sync-stream ("
        + error.getClass().getSimpleName() + "); the request was sent to the dead letters", null);
  }

  private RepositoryStatusChanged repositoryStatus(SyncRequested request, RepositorySyncStatus status, String error,
      String note) {
    return RepositoryStatusChanged.newBuilder()
        .setRepositoryId(request.getRepositoryId())
        .setSyncId(request.getSyncId())
        .setStatus(status)
        .setTrigger(request.getTrigger())
        .setActor(request.getActor())
        .setTriggeredAt(request.getAt())
        .setNote(note)
        .setLastSyncError(error)
        .setLastSyncedAt(status == RepositorySyncStatus.SUCCESS ? clock.instant() : null)
        .setAt(clock.instant())
        .build();
  }

  /** An application error; on a manual deploy it also says that the deployment the 202 named was never started. */
  private ApplicationStatusChanged applicationError(SyncRequested request, String applicationId, String error) {
    return manualApplication(request) != null
        ? notStarted(request, error) : applicationError(applicationId, error);
  }

  private ApplicationStatusChanged notStarted(SyncRequested request, String why) {
    return applicationError(request.getApplicationId(),
        why + " (deployment " + request.getDeploymentId() + " not started)");
  }

  private ApplicationStatusChanged applicationError(String applicationId, String error) {
    return ApplicationStatusChanged.newBuilder()
        .setApplicationId(applicationId)
        .setSyncStatus(SyncStatus.OUT_OF_SYNC)
        .setUpdateLastSyncError(true)
        .setLastSyncError(error)
        .setAt(clock.instant())
        .build();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return null;
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
