package dev.orca.agent.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the host's compose CLI: the {@code docker compose} v2 plugin when present, else
 * {@code docker-compose} v1. Every run talks to the agent's engine (DOCKER_HOST), is killed at
 * its deadline and keeps the tail of its output for error messages. Its version is re-read now
 * and then rather than per call: v1 is a Python program that takes seconds to start.
 */
final class ComposeCli {

  private static final Logger log = LoggerFactory.getLogger(ComposeCli.class);
  private static final int TAIL_CHARS = 2000;
  private static final List<List<String>> CANDIDATES =
      List.of(List.of("docker", "compose"), List.of("docker-compose"));
  private static final Duration VERSION_DEADLINE = Duration.ofSeconds(10);
  private static final Duration VERSION_REFRESH = Duration.ofMinutes(10);
  private static final Duration VERSION_RETRY = Duration.ofMinutes(1);

  private final String dockerHost;
  private final List<List<String>> candidates;
  private final Object versionLock = new Object();
  private List<String> command;
  private KnownVersion version;

  ComposeCli(String dockerHost) {
    this(dockerHost, CANDIDATES);
  }

  /** With other commands to try, in order (tests: a wrapper that behaves like another compose version). */
  ComposeCli(String dockerHost, List<List<String>> candidates) {
    this.dockerHost = dockerHost;
    this.candidates = List.copyOf(candidates);
  }

  /**
   * The compose command, detected on first success and then kept; empty while none is installed.
   * The probe is {@code version --short}, whose answer is kept as the version too: one run of the
   * CLI per candidate at start-up, not two (a run of compose v1 costs about half a second of CPU).
   */
  synchronized Optional<List<String>> command() {
    if (command == null) {
      for (List<String> candidate : candidates) {
        List<String> probe = new ArrayList<>(candidate);
        probe.addAll(List.of("version", "--short"));
        Instant now = Instant.now();
        Result r = execute(probe, Path.of("."), now.plusSeconds(20));
        if (r.exitCode() == 0) {
          command = candidate;
          log.info("Using '{}' for compose", String.join(" ", candidate));
          Optional<String> read = ComposeVersion.parse(r.output());
          synchronized (versionLock) {
            version = new KnownVersion(candidate, read, now.plus(read.isPresent() ? VERSION_REFRESH : VERSION_RETRY));
          }
          break;
        }
      }
    }
    return Optional.ofNullable(command);
  }

  /**
   * The version of the compose command in use, without a leading {@code v}; empty when none is
   * installed or its {@code version --short} fails, times out or prints no version.
   */
  Optional<String> version() {
    Optional<List<String>> current = command();
    if (current.isEmpty()) {
      return Optional.empty();
    }
    // Its own lock: a slow version probe must not hold back compose runs, which take command()'s.
    synchronized (versionLock) {
      Instant now = Instant.now();
      if (version == null || !version.command().equals(current.get()) || !now.isBefore(version.refreshAt())) {
        Optional<String> read = readVersion(current.get(), now.plus(VERSION_DEADLINE));
        version = new KnownVersion(current.get(), read, now.plus(read.isPresent() ? VERSION_REFRESH : VERSION_RETRY));
      }
      return version.version();
    }
  }

  private Optional<String> readVersion(List<String> compose, Instant deadline) {
    List<String> commandLine = new ArrayList<>(compose);
    commandLine.addAll(List.of("version", "--short"));
    try {
      Result r = execute(commandLine, Path.of("."), deadline);
      Optional<String> parsed = r.succeeded() ? ComposeVersion.parse(r.output()) : Optional.empty();
      if (parsed.isEmpty()) {
        log.warn("Cannot tell the version of '{}' ({}): {}", String.join(" ", compose),
            r.timedOut() ? "timed out" : "exit " + r.exitCode(), r.output());
      }
      return parsed;
    } catch (RuntimeException e) {
      // Reporting a version is a courtesy: it must never cost a heartbeat or a deploy.
      log.warn("Cannot tell the version of '{}': {}", String.join(" ", compose), e.getMessage());
      return Optional.empty();
    }
  }

  /** Runs compose with {@code args} in {@code workDir}; the caller has checked {@link #command()}. */
  Result run(List<String> args, Path workDir, Instant deadline) {
    List<String> full = new ArrayList<>(command().orElseThrow(() -> new IllegalStateException("no compose CLI")));
    full.addAll(args);
    return execute(full, workDir, deadline);
  }

  private Result execute(List<String> commandLine, Path workDir, Instant deadline) {
    Path output = null;
    try {
      output = Files.createTempFile("orca-compose-", ".log");
      OptionalInt exit = runTo(commandLine, workDir, deadline, output, null);
      return new Result(exit.orElse(-1), exit.isEmpty(), tail(output));
    } catch (IOException e) {
      return new Result(-1, false, "cannot run " + String.join(" ", commandLine) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, false, "interrupted: the agent is stopping");
    } finally {
      deleteQuietly(output);
    }
  }

  /**
   * Runs compose with {@code args} and keeps what it printed on standard output whole (up to
   * {@code maxBytes}; more fails the run), apart from what it said on standard error: for
   * {@code config}, whose output is the resolved stack. That output may hold the application's
   * secret values: callers never log it.
   */
  Captured capture(List<String> args, Path workDir, Instant deadline, int maxBytes) {
    List<String> full = new ArrayList<>(command().orElseThrow(() -> new IllegalStateException("no compose CLI")));
    full.addAll(args);
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("orca-compose-", ".out");
      err = Files.createTempFile("orca-compose-", ".err");
      OptionalInt exit = runTo(full, workDir, deadline, out, err);
      if (exit.isEmpty()) {
        return new Captured(-1, true, "", tail(err));
      }
      if (Files.size(out) > maxBytes) {
        return new Captured(-1, false, "", "its output is larger than " + maxBytes / 1024 + " KiB");
      }
      return new Captured(exit.getAsInt(), false, Files.readString(out, StandardCharsets.UTF_8), tail(err));
    } catch (IOException e) {
      return new Captured(-1, false, "", "cannot run " + String.join(" ", full) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Captured(-1, false, "", "interrupted: the agent is stopping");
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /**
   * Runs {@code commandLine} in {@code workDir} against this agent's engine, standard output to
   * {@code out} and standard error to {@code err} (into {@code out} when null), until it ends or
   * the deadline stops it: its exit code, or empty when stopped. Interrupted, it stops the process.
   */
  private OptionalInt runTo(List<String> commandLine, Path workDir, Instant deadline, Path out, Path err)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(commandLine).directory(workDir.toFile()).redirectOutput(out.toFile());
    if (err == null) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(err.toFile());
    }
    builder.environment().put("DOCKER_HOST", dockerHost);
    Process process = builder.start();
    try {
      long waitMillis = Math.max(1000, Duration.between(Instant.now(), deadline).toMillis());
      if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
        stop(process);
        return OptionalInt.empty();
      }
      return OptionalInt.of(process.exitValue());
    } catch (InterruptedException e) {
      stop(process);
      throw e;
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.debug("cannot delete {}", file, e);
      }
    }
  }

  /** Exit code (-1 when it did not finish), whether the deadline killed it, standard output whole, standard error's tail. */
  record Captured(int exitCode, boolean timedOut, String stdout, String stderr) {
    boolean succeeded() {
      return exitCode == 0 && !timedOut;
    }
  }

  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(Path output) {
    try {
      String text = Files.readString(output, StandardCharsets.UTF_8).strip();
      return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code version --short} of {@code command} said, and when to ask again. */
  private record KnownVersion(List<String> command, Optional<String> version, Instant refreshAt) {}

  /** Exit code (-1 when it did not finish), whether the deadline killed it, the output's tail. */
  record Result(int exitCode, boolean timedOut, String output) {
    boolean succeeded() {
      return exitCode == 0 && !timedOut;
    }
  }
}
