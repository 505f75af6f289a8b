package dev.orca.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's first render as the dashboard's own script sees it: {@code
 * dashboard/e2e/first-render.mjs --url <base> --deadline-ms N} loads the page in headless
 * Chromium until the app has rendered and prints {@code {"renderedAt": <epoch millis>}}.
 */
final class FirstRender {

  static final String SCRIPT = "dashboard/e2e/first-render.mjs";
  private static final Pattern RENDERED_AT = Pattern.compile("\"renderedAt\"\\s*:\\s*(\\d+)");

  /** When the render was seen, or why it was not measured. */
  record Outcome(OptionalLong renderedAtEpochMillis, String reason) {
    static Outcome notMeasured(String reason) {
      return new Outcome(OptionalLong.empty(), reason);
    }
  }

  private final Process process;
  private final Path output;
  private final Path errors;
  private final Duration deadline;

  private FirstRender(Process process, Path output, Path errors, Duration deadline) {
    this.process = process;
    this.output = output;
    this.errors = errors;
    this.deadline = deadline;
  }

  /** Why the render cannot be measured on this machine, or empty when it can. */
  static Optional<String> unavailable(Path root, Map<String, String> env) {
    if (findOnPath("node", env.getOrDefault("PATH", "")).isEmpty()) {
      return Optional.of("node is not on PATH");
    }
    String chromium = env.getOrDefault("ORCA_CHROMIUM", "/usr/bin/chromium");
    if (!Files.isExecutable(Path.of(chromium))) {
      return Optional.of(chromium + " is missing");
    }
    if (!Files.isRegularFile(root.resolve(SCRIPT))) {
      return Optional.of(SCRIPT + " is missing");
    }
    return Optional.empty();
  }

  static FirstRender start(Path root, String baseUrl, Duration deadline, Path logDir, String label) throws IOException {
    Path output = logDir.resolve(label + "-render.out");
    Path errors = logDir.resolve(label + "-render.err");
    Process process = new ProcessBuilder(List.of("node", root.resolve(SCRIPT).toString(),
            "--url", baseUrl, "--deadline-ms", String.valueOf(deadline.toMillis())))
        .directory(root.resolve("dashboard").toFile())
        .redirectOutput(output.toFile())
        .redirectError(errors.toFile())
        .start();
    return new FirstRender(process, output, errors, deadline);
  }

  /** Waits for the script to finish (its own deadline plus a margin), then reads what it printed. */
  Outcome await() throws IOException, InterruptedException {
    if (!process.waitFor(deadline.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
      stop();
      return Outcome.notMeasured(SCRIPT + " did not finish within " + deadline.plusSeconds(30));
    }
    OptionalLong renderedAt = parse(Files.readString(output));
    if (renderedAt.isPresent()) {
      return new Outcome(renderedAt, "");
    }
    List<String> lines = Files.readAllLines(errors);
    String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
    return Outcome.notMeasured(SCRIPT + " exited " + process.exitValue() + ": " + last);
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The last {@code renderedAt} the script printed, if any. */
  static OptionalLong parse(String printed) {
    OptionalLong found = OptionalLong.empty();
    for (String line : printed.split("\n")) {
      Matcher m = RENDERED_AT.matcher(line);
      if (line.trim().startsWith("{") && m.find()) {
        found = OptionalLong.of(Long.parseLong(m.group(1)));
      }
    }
    return found;
  }

  private static Optional<Path> findOnPath(String name, String path) {
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Optional.of(Path.of(dir, name));
      }
    }
    return Optional.empty();
  }
}
