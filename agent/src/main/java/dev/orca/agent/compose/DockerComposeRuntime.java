package dev.orca.agent.compose;

import dev.orca.schemas.avro.HealthStatus;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real runtime: writes the application's files ({@link ApplicationFiles}),
 * {@code <deploymentsDir>/<applicationId>/docker-compose.yml} (with the agent's labels on every
 * service) and {@code .env} (mode 0600, only when the repository has one beside the compose file
 * or the application has variables; compose reads it for interpolation), runs compose in that
 * directory (so the compose file's relative paths find the files), then polls the engine until
 * every service runs and is healthy or the deadline passes. Health comes from the list API.
 */
public final class DockerComposeRuntime implements ComposeRuntime {

  /** Log lines of a failed container quoted in the deployment's error. */
  static final int LAST_LOG_LINES = 10;
  /** How a wait for readiness that ends at the command's deadline is named in its error. */
  private static final String BY_DEADLINE = "by deadline";
  private static final Logger log = LoggerFactory.getLogger(DockerComposeRuntime.class);
  private static final Duration WARN_EVERY = Duration.ofMinutes(5);
  private static final Duration READY_POLL = Duration.ofMillis(250);
  /** How long every container must have run before a deployment is ready (compose v2's --wait asks for none). */
  static final Duration STABLE_FOR = Duration.ofMillis(300);
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final DeploymentsDir dirs;
  private final ApplicationFiles applicationFiles;
  private final String dockerHost;
  private final DockerEngine engine;
  private final ComposeCli cli;
  /** Why to end an application's readiness wait at its next look (see {@link #stopWaiting}). */
  private final Map<String, String> stopWaiting = new java.util.concurrent.ConcurrentHashMap<>();
  private String lastWarning;
  private Instant lastWarnedAt = Instant.EPOCH;

  public DockerComposeRuntime(Path deploymentsDir, String dockerHost) {
    this(deploymentsDir, dockerHost, new ComposeCli(dockerHost));
  }

  DockerComposeRuntime(Path deploymentsDir, String dockerHost, ComposeCli cli) {
    this.dirs = new DeploymentsDir(deploymentsDir);
    this.applicationFiles = new ApplicationFiles(dirs);
    this.dockerHost = dockerHost;
    this.engine = new DockerEngine(dockerHost);
    this.cli = cli;
  }

  /**
   * A runtime whose first {@link #status} is taken already, its two probes at once: the compose
   * command's (other processes: {@code docker-compose} v1, a Python program, takes half a second
   * to say its version) on a thread of {@code threads}, started first; Docker's client (this
   * process) on the caller's.
   */
  public static DockerComposeRuntime probed(Path deploymentsDir, String dockerHost,
      java.util.concurrent.ThreadFactory threads) {
    ComposeCli cli = new ComposeCli(dockerHost);
    threads.newThread(cli::version).start();
    DockerComposeRuntime runtime = new DockerComposeRuntime(deploymentsDir, dockerHost, cli);
    runtime.status();
    return runtime;
  }

  @Override
  public EngineStatus status() {
    Optional<String> version = engine.version();
    Optional<List<String>> compose = cli.command();
    String message = null;
    if (version.isEmpty()) {
      message = "No Docker engine at " + dockerHost + ": this agent cannot deploy until one is running";
    } else if (compose.isEmpty()) {
      message = "Neither 'docker compose' nor 'docker-compose' is installed: this agent cannot deploy until one is";
    }
    warnIfChanged(message);
    return new EngineStatus(version.isPresent(), version.orElse(null),
        compose.map(c -> String.join(" ", c)).orElse(null), cli.version().orElse(null), message);
  }

  @Override
  public DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> carried,
      String dotEnv, Instant deadline, DeployOptions options) {
    Optional<String> refusal = Names.refusal(applicationId, project);
    if (refusal.isPresent()) {
      return DeployOutcome.composeFailure(refusal.get(), HealthStatus.UNKNOWN, List.of());
    }
    // The repository's .env beside the compose file and the application's variables share the
    // one .env compose reads: the repository's lines first, the variables after them (compose
    // keeps the last value of a name, so a variable set through the API wins).
    byte[] repositoryEnv = carried.get(DeploymentsDir.ENV_FILE);
    Map<String, byte[]> files = new java.util.HashMap<>(carried);
    files.remove(DeploymentsDir.ENV_FILE);
    ComposeFile file;
    String envFile;
    try {
      file = ComposeFile.parse(compose);
      envFile = envFile(repositoryEnv, dotEnv);
    } catch (InvalidComposeFileException e) {
      return DeployOutcome.composeFailure(e.getMessage(), HealthStatus.UNKNOWN, List.of());
    }
    // Before anything runs or is written: a stack the policy refuses never touches the host (one
    // that names what the policy judges through variables is judged again after, see judgeResolved).
    Optional<String> refused = ApplicationFiles.refusal(files.keySet())
        .or(() -> ComposePolicy.refusal(file, files, dirs.application(applicationId), options.allowedPolicyRules()));
    if (refused.isPresent()) {
      return DeployOutcome.composeFailure(refused.get(), HealthStatus.UNKNOWN, List.of());
    }
    EngineStatus status = status();
    if (!status.canDeploy()) {
      return DeployOutcome.transportFailure(status.message());
    }
    try {
      applicationFiles.write(applicationId, files);
    } catch (UncheckedIOException e) {
      // Compose is not run; what was written is in the manifest, for the next deployment to replace or remove.
      return DeployOutcome.composeFailure(e.getMessage(), HealthStatus.UNKNOWN, List.of());
    }
    dirs.writeSecret(applicationId, DeploymentsDir.COMPOSE_FILE,
        file.withLabels(labels(applicationId), ServiceFiles.labels(file, carried)));
    if (envFile.isEmpty()) {
      dirs.delete(applicationId, DeploymentsDir.ENV_FILE);
    } else {
      dirs.writeSecret(applicationId, DeploymentsDir.ENV_FILE, envFile);
    }
    Optional<String> resolvedRefusal = judgeResolved(applicationId, project, file, files,
        options.allowedPolicyRules(), deadline);
    if (resolvedRefusal.isPresent()) {
      // The refused file must not stay where a self-heal would bring it up.
      dirs.delete(applicationId, DeploymentsDir.COMPOSE_FILE);
      return DeployOutcome.composeFailure(resolvedRefusal.get(), HealthStatus.UNKNOWN, List.of());
    }
    List<DockerEngine.ImageUse> before = List.of();
    if (options.pullImages()) {
      before = engine.imagesOf(applicationId);
      pull(applicationId, project, deadline); // what failed is asked again if nothing changed
    }
    Optional<DeployOutcome> upFailed = up(applicationId, project, deadline, hasOrphans(applicationId, file));
    if (upFailed.isPresent()) {
      return upFailed.get();
    }
    Duration timeout = options.readinessTimeout();
    Instant readyBy = timeout == null ? deadline : min(deadline, Instant.now().plus(timeout));
    DeployOutcome outcome = awaitReady(applicationId, file.services(), readyBy, readyBy.isBefore(deadline)
        ? "within the application's readiness timeout of " + timeout.toSeconds() + " s"
        : BY_DEADLINE);
    return options.pullImages()
        ? afterImageUpdate(applicationId, project, file.services(), before, outcome, options, deadline)
        : outcome;
  }

  /**
   * A stack that names what the policy judges through variables is judged again as compose
   * resolves it ({@code compose config}, with the {@code .env} just written and the agent's
   * environment), before anything runs; what was resolved is never logged or quoted whole.
   */
  private Optional<String> judgeResolved(String applicationId, String project, ComposeFile file,
      Map<String, byte[]> files, Set<String> allowed, Instant deadline) {
    Path home = dirs.application(applicationId);
    List<String> variables = ComposePolicy.variables(file, files, home);
    if (variables.isEmpty()) {
      return Optional.empty();
    }
    ComposeCli.Captured config = cli.capture(List.of("-p", project, "-f", dirs.composeFile(applicationId).toString(),
        "config"), home, deadline, ApplicationFiles.MAX_RESOLVED_BYTES);
    if (!config.succeeded()) {
      return Optional.of("cannot check " + String.join(", ", variables) + " against the agent's policy: docker compose"
          + " config " + (config.timedOut() ? "did not finish by the deadline" : "failed (exit " + config.exitCode()
          + ")") + ": " + config.stderr());
    }
    ComposeFile resolved;
    try {
      resolved = ComposeFile.parse(config.stdout());
    } catch (InvalidComposeFileException e) {
      return Optional.of("cannot check " + String.join(", ", variables) + " against the agent's policy: the stack"
          + " docker compose config resolved cannot be read");
    }
    return ComposePolicy.refusal(resolved, Map.of(), home, allowed)
        .map(refusal -> refusal + " (as resolved from variables)");
  }

  /**
   * Pulls the services' images (those that cannot be pulled keep the image they have here, so
   * an image built or tagged on this host still updates); what failed, or empty. Compose v2
   * answers 0 here even when pulls failed, so an empty answer does not prove every pull worked:
   * see {@link #everyPullFails}.
   */
  private Optional<String> pull(String applicationId, String project, Instant deadline) {
    return pull(applicationId, project, deadline, true, null);
  }

  /**
   * Whether every service's pull fails, asked service by service without ignoring failures (both
   * compose versions then exit non-zero), up to the first that works: what the last one said, or
   * empty when one could be pulled (a stack may hold images built or tagged here, which never pull).
   */
  private Optional<String> everyPullFails(String applicationId, String project, Set<String> services,
      Instant deadline) {
    Optional<String> failure = Optional.empty();
    for (String service : new java.util.TreeSet<>(services)) {
      failure = pull(applicationId, project, deadline, false, service);
      if (failure.isEmpty()) {
        return Optional.empty();
      }
    }
    return failure;
  }

  private Optional<String> pull(String applicationId, String project, Instant deadline, boolean ignoreFailures,
      String service) {
    List<String> args = new ArrayList<>(List.of("-p", project, "-f", dirs.composeFile(applicationId).toString(),
        "pull"));
    if (ignoreFailures) {
      args.add("--ignore-pull-failures");
    }
    if (service != null) {
      args.add(service);
    }
    ComposeCli.Result pull = cli.run(args, dirs.application(applicationId), deadline);
    if (pull.succeeded()) {
      return Optional.empty();
    }
    String what = pull.timedOut() ? "docker compose pull did not finish by the deadline"
        : "docker compose pull failed (exit " + pull.exitCode() + ")";
    log.info("{} for {}: {}", what, applicationId, pull.output());
    return Optional.of(what + ": " + pull.output());
  }

  /**
   * An image update that changed no container while no service's image could be pulled did not
   * update: it fails with the pull's error (the stack runs on as it was). That is asked service by
   * service without {@code --ignore-pull-failures}, since compose v2 exits 0 from the first pull
   * whatever happened and a stack may mix pullable images with ones built here; one that pulled
   * and found nothing new succeeds. One that succeeded removes, when asked, the images its
   * recreated containers ran before that no container uses and no tag names any more.
   */
  private DeployOutcome afterImageUpdate(String applicationId, String project, Set<String> services,
      List<DockerEngine.ImageUse> before, DeployOutcome outcome, DeployOptions options,
      Instant deadline) {
    List<DockerEngine.ImageUse> after = engine.imagesOf(applicationId);
    java.util.Set<String> running = new java.util.HashSet<>();
    after.forEach(use -> running.add(use.imageId()));
    List<String> superseded = before.stream().map(DockerEngine.ImageUse::imageId)
        .filter(id -> !running.contains(id)).distinct().toList();
    log.info("Image update of {}: {} image(s) replaced", applicationId, superseded.size());
    if (!outcome.success()) {
      return outcome;
    }
    if (superseded.isEmpty()) {
      Optional<String> failure = everyPullFails(applicationId, project, services, deadline);
      if (failure.isPresent()) {
        return DeployOutcome.unchangedFailure(DeployOutcome.NO_IMAGE_CHANGED + failure.get(), outcome.health(),
            outcome.containers());
      }
    }
    if (options.removeSupersededImages() && !superseded.isEmpty()) {
      java.util.Set<String> inUse = engine.imagesInUse();
      for (String id : superseded) {
        if (!inUse.contains(id) && engine.removeDanglingImage(id)) {
          log.info("Removed image {} that {} ran before its image update", id, applicationId);
        }
      }
    }
    return outcome;
  }

  /**
   * Pulls the application's images and compares what each tag names now with what its container
   * runs: one line per service whose tag names another image.
   */
  @Override
  public Optional<List<String>> imageUpdates(String applicationId, String project, Instant deadline) {
    if (Names.refusal(applicationId, project).isPresent() || !Files.exists(dirs.composeFile(applicationId))
        || !status().canDeploy()) {
      return Optional.empty();
    }
    pull(applicationId, project, deadline);
    List<String> updates = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (DockerEngine.ImageUse use : engine.imagesOf(applicationId)) {
      Optional<String> now = engine.imageId(use.reference());
      if (now.isPresent() && !now.get().equals(use.imageId()) && seen.add(use.service())) {
        updates.add(use.service() + ": " + use.reference() + " " + shortId(use.imageId()) + " → " + shortId(now.get()));
      }
    }
    return Optional.of(updates);
  }

  private static String shortId(String id) {
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }

  @Override
  public DeployOutcome reapply(String applicationId, String project, Instant deadline) {
    Optional<String> refusal = Names.refusal(applicationId, project);
    if (refusal.isPresent()) {
      return DeployOutcome.composeFailure(refusal.get(), HealthStatus.UNKNOWN, List.of());
    }
    Path composeFile = dirs.composeFile(applicationId);
    ComposeFile file;
    try {
      file = ComposeFile.parse(Files.readString(composeFile));
    } catch (java.io.IOException | InvalidComposeFileException e) {
      return DeployOutcome.transportFailure("cannot read the deployed compose file: " + e.getMessage());
    }
    EngineStatus status = status();
    if (!status.canDeploy()) {
      return DeployOutcome.transportFailure(status.message());
    }
    return up(applicationId, project, deadline, true)
        .orElseGet(() -> awaitReady(applicationId, file.services(), deadline, BY_DEADLINE));
  }

  /**
   * Whether the application runs a container of a service the new file no longer has: only then
   * does {@code up} need {@code --remove-orphans}, which costs compose v1 about 0.1 s on every
   * run. Services of included files carry no application label, so a file with {@code include}
   * always asks for it.
   */
  private boolean hasOrphans(String applicationId, ComposeFile file) {
    if (file.topLevel("include") != null) {
      return true;
    }
    Set<String> services = file.services();
    return containers(applicationId).stream().anyMatch(c -> c.service() == null || !services.contains(c.service()));
  }

  /** Runs compose up on the application's directory; the failure it ended with, empty when it succeeded. */
  private Optional<DeployOutcome> up(String applicationId, String project, Instant deadline, boolean removeOrphans) {
    List<String> args = new ArrayList<>(List.of("-p", project, "-f", dirs.composeFile(applicationId).toString(),
        "up", "-d"));
    if (removeOrphans) {
      args.add("--remove-orphans");
    }
    ComposeCli.Result up = cli.run(args, dirs.application(applicationId), deadline);
    if (up.succeeded()) {
      return Optional.empty();
    }
    List<Container> containers = containers(applicationId);
    String what = up.timedOut() ? "docker compose up did not finish by the deadline"
        : "docker compose up failed (exit " + up.exitCode() + ")";
    return Optional.of(DeployOutcome.composeFailure(what + ": " + up.output(), Health.afterFailure(containers),
        containers));
  }

  /**
   * Ready means every service runs (healthy where checked) and every container has run for
   * {@link #STABLE_FOR} by the engine's own start time, so a container that exits right after
   * starting is not "ready", and a stack whose containers started while compose was still
   * finishing is ready at the first look. A container that exits, dies, keeps restarting or turns
   * unhealthy fails the deployment at once, with its exit code and last log lines; only "still
   * starting" waits for the deadline.
   */
  private DeployOutcome awaitReady(String applicationId, Set<String> services, Instant deadline, String limit) {
    Map<String, Instant> seenAhead = new HashMap<>();
    Duration engineAhead = null;
    while (true) {
      List<Container> containers = containers(applicationId);
      Optional<Container> failed = containers.stream().filter(Health::failed).findFirst();
      if (failed.isPresent()) {
        return DeployOutcome.composeFailure(describeFailure(failed.get()), Health.of(containers), containers);
      }
      List<String> notReady = Health.notReady(services, containers);
      String stopped = stopWaiting.get(applicationId);
      if (stopped != null) {
        String what = notReady.isEmpty() ? "not stable yet" : String.join(", ", notReady);
        return DeployOutcome.composeFailure("stopped waiting for readiness (" + stopped + "): " + what,
            Health.afterFailure(containers), containers);
      }
      Instant now = Instant.now();
      Instant lookAgain = now.plus(READY_POLL);
      if (notReady.isEmpty() && engineAhead == null) {
        engineAhead = engine.clockOffset();
      }
      Optional<Instant> stableAt = notReady.isEmpty() ? stableAt(containers, now, engineAhead, seenAhead)
          : Optional.empty();
      if (stableAt.isPresent()) {
        if (!now.isBefore(stableAt.get()) || !now.isBefore(deadline)) {
          return DeployOutcome.ready(containers);
        }
        lookAgain = min(lookAgain, stableAt.get());
      }
      if (!now.isBefore(deadline) || Thread.currentThread().isInterrupted()) {
        String what = notReady.isEmpty() ? "not stable yet" : String.join(", ", notReady);
        return DeployOutcome.composeFailure("containers not ready " + limit + ": " + what,
            Health.afterFailure(containers), containers);
      }
      try {
        Thread.sleep(Math.max(10, Duration.between(now, min(lookAgain, deadline)).toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * When the last of these containers will have run {@link #STABLE_FOR}: its engine start time
   * (moved to this host's clock by {@code engineAhead}) plus that; a start time still ahead of
   * this host's clock counts from when it was first seen. Empty when one has no start time (gone
   * meanwhile).
   */
  private Optional<Instant> stableAt(List<Container> containers, Instant now, Duration engineAhead,
      Map<String, Instant> seenAhead) {
    Instant latest = Instant.MIN;
    for (Container container : containers) {
      Optional<Instant> started = engine.startedAt(container.name());
      if (started.isEmpty()) {
        return Optional.empty();
      }
      Instant local = started.get().minus(engineAhead);
      Instant start = !local.isAfter(now) ? local
          : seenAhead.computeIfAbsent(container.name() + "@" + started.get(), key -> now);
      latest = start.isAfter(latest) ? start : latest;
    }
    return Optional.of(latest.plus(STABLE_FOR));
  }

  /** "service 'db' exited with code 3; last log lines: ..." */
  private String describeFailure(Container container) {
    DockerEngine.ContainerEnd end = engine.end(container.name(), LAST_LOG_LINES);
    String what = switch (container.state()) {
      case "exited" -> "exited" + (end.exitCode() == null ? "" : " with code " + end.exitCode());
      case "dead" -> "died" + (end.exitCode() == null ? "" : " (exit code " + end.exitCode() + ")");
      case "restarting" -> "keeps restarting" + (end.exitCode() == null ? "" : " (last exit code " + end.exitCode() + ")");
      default -> "is unhealthy";
    };
    String message = "service '" + container.service() + "' " + what;
    return end.lastLines().isEmpty() ? message
        : message + "; last log lines: " + String.join(" | ", end.lastLines());
  }

  @Override
  public void stopWaiting(String applicationId, String reason) {
    stopWaiting.put(applicationId, reason);
  }

  @Override
  public void clearStopWaiting(String applicationId) {
    stopWaiting.remove(applicationId);
  }

  /**
   * The deadline is checked before each irreversible step and once more at the end: a removal
   * that ran past it reports failure (saying what was already done), because the hub has already
   * told the user it timed out.
   */
  @Override
  public RemoveOutcome remove(String applicationId, String project, Instant deadline) {
    stopWaiting.remove(applicationId);
    Optional<String> refusal = Names.refusal(applicationId, project);
    if (refusal.isPresent()) {
      return RemoveOutcome.failed(refusal.get());
    }
    if (engine.version().isEmpty()) {
      return RemoveOutcome.failed("No Docker engine at " + dockerHost + ": this agent cannot remove stacks until one is running");
    }
    if (passed(deadline)) {
      return lateRemoval("nothing was removed");
    }
    Path file = dirs.composeFile(applicationId);
    if (Files.exists(file) && cli.command().isPresent()) {
      ComposeCli.Result down = cli.run(List.of("-p", project, "-f", file.toString(), "down", "--remove-orphans"),
          dirs.application(applicationId), deadline);
      if (down.timedOut()) {
        return lateRemoval("docker compose down was stopped at the deadline; what it already removed stays"
            + " removed, the rest of the stack and its directory are kept");
      }
      if (!down.succeeded()) {
        log.warn("docker compose down of {} failed, removing its containers by label: {}", applicationId, down.output());
      }
      if (passed(deadline)) {
        return lateRemoval("docker compose down " + (down.succeeded() ? "finished" : "failed")
            + " after the deadline; what it removed stays removed, the directory is kept");
      }
    }
    try {
      // Also after a successful down: containers of an earlier project name carry the same label.
      engine.removeStack(applicationId, project);
      if (passed(deadline)) {
        return lateRemoval("its containers and networks were removed, the directory is kept");
      }
      dirs.deleteApplication(applicationId);
    } catch (RuntimeException e) {
      return RemoveOutcome.failed("cannot remove " + applicationId + ": " + e.getMessage());
    }
    if (passed(deadline)) {
      return lateRemoval("the stack and its directory were removed only after the deadline");
    }
    return RemoveOutcome.removed();
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static boolean passed(Instant deadline) {
    return !Instant.now().isBefore(deadline);
  }

  private static RemoveOutcome lateRemoval(String whatWasDone) {
    return RemoveOutcome.failed("removal did not finish by its deadline: " + whatWasDone);
  }

  @Override
  public Optional<Map<String, List<Container>>> observe() {
    List<Map.Entry<String, Container>> managed;
    try {
      managed = engine.managedContainers();
    } catch (RuntimeException e) {
      log.debug("cannot list containers: {}", e.toString());
      return Optional.empty();
    }
    Map<String, List<Container>> byApplication = new TreeMap<>();
    for (String known : dirs.applications()) {
      byApplication.put(known, new ArrayList<>());
    }
    // Only this agent's applications: other agents (or Orca installations) may share the host,
    // and their stacks carry the same managed_by label.
    for (Map.Entry<String, Container> e : managed) {
      List<Container> containers = byApplication.get(e.getKey());
      if (containers != null) {
        containers.add(e.getValue());
      }
    }
    return Optional.of(byApplication);
  }

  @Override
  public AutoCloseable watch(java.util.function.Consumer<String> changed) {
    return engine.watch(changed);
  }

  private List<Container> containers(String applicationId) {
    return engine.containers(Map.of(Names.APPLICATION_LABEL, applicationId));
  }

  private static Map<String, String> labels(String applicationId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Names.APPLICATION_LABEL, applicationId);
    labels.put(Names.MANAGED_LABEL, Names.MANAGED_VALUE);
    return labels;
  }

  /**
   * The {@code .env} to write: the repository's {@code .env} as it is (compose reads it), then
   * the application's variables, every line {@code NAME=value} (the gateway writes nothing else),
   * each part ending with a line break; empty for none. Messages name a line, never a value.
   */
  static String envFile(byte[] repositoryEnv, String dotEnv) {
    String repository = repositoryEnv == null ? "" : new String(repositoryEnv, java.nio.charset.StandardCharsets.UTF_8);
    String[] lines = repository.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (opensUnclosedQuote(lines[i])) {
        // Compose v2 would read on into the next lines, the application's variables among them.
        throw new InvalidComposeFileException("line " + (i + 1) + " of the repository's .env opens a quote it does"
            + " not close on the same line (values spanning lines are not supported)");
      }
    }
    if (!repository.isEmpty() && !repository.endsWith("\n")) {
      repository += "\n";
    }
    return repository + envFile(dotEnv);
  }

  private static boolean opensUnclosedQuote(String line) {
    int equals = line.indexOf('=');
    String value = equals < 0 ? "" : line.substring(equals + 1).strip();
    if (line.strip().startsWith("#") || value.isEmpty() || (value.charAt(0) != '"' && value.charAt(0) != '\'')) {
      return false;
    }
    char quote = value.charAt(0);
    for (int i = 1; i < value.length(); i++) {
      if (quote == '"' && value.charAt(i) == '\\') {
        i++;
      } else if (value.charAt(i) == quote) {
        return false;
      }
    }
    return true;
  }

  private static String envFile(String dotEnv) {
    if (dotEnv == null || dotEnv.isEmpty()) {
      return "";
    }
    if (dotEnv.indexOf('\r') >= 0) {
      throw new InvalidComposeFileException("the application's environment must not contain carriage returns");
    }
    String[] lines = dotEnv.split("\n");
    for (int i = 0; i < lines.length; i++) {
      int equals = lines[i].indexOf('=');
      String name = equals < 0 ? lines[i] : lines[i].substring(0, equals);
      if (equals < 0 || !ENV_NAME.matcher(name).matches()) {
        throw new InvalidComposeFileException("line " + (i + 1) + " of the application's environment is not"
            + " NAME=value with a valid variable name");
      }
    }
    return dotEnv.endsWith("\n") ? dotEnv : dotEnv + "\n";
  }

  private synchronized void warnIfChanged(String message) {
    Instant now = Instant.now();
    if (message == null) {
      if (lastWarning != null) {
        log.info("Docker is usable again at {}", dockerHost);
      }
      lastWarning = null;
      return;
    }
    if (!message.equals(lastWarning) || Duration.between(lastWarnedAt, now).compareTo(WARN_EVERY) >= 0) {
      log.warn(message);
      lastWarning = message;
      lastWarnedAt = now;
    }
  }

  @Override
  public void close() {
    engine.close();
  }
}
