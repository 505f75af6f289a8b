package dev.orca.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./orca bench [sync|startup] [options]}: runs one benchmark and prints its figures next to
 * a baseline measured in the same run.
 *
 * <ul>
 *   <li>{@code sync} (the default): latency from an accepted sync to the DeployCommand. Options:
 *       {@code --syncs N} per history length (default 300),
 *       {@code --warmup N} (20), {@code --hops N} (1000), {@code --history 10,1000,5000} (the
 *       repository's commits before the syncs; one row each).
 *   <li>{@code startup}: {@code ./orca up} from process start to healthy, first start and
 *       restarts. Options: {@code --restarts N} (3), {@code --deadline-s N} (180), {@code --render
 *       false} (skip the dashboard's first render), {@code --keep} (keep the data directory and
 *       logs), {@code --command "java -jar x.jar"} (start this instead of {@code ./orca up
 *       --no-build}; it must exec the JVM), {@code --root DIR} (the checkout, default the
 *       working directory).
 * </ul>
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("startup")) {
      startup(Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("polling")) {
      polling(Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("push")) {
      push(Arrays.copyOfRange(args, 1, args.length));
    } else {
      sync(args.length > 0 && args[0].equals("sync") ? Arrays.copyOfRange(args, 1, args.length) : args);
    }
    System.exit(0);
  }

  private static void sync(String[] args) throws Exception {
    int syncs = intOption(args, "--syncs", 300);
    int warmup = intOption(args, "--warmup", 20);
    int hops = intOption(args, "--hops", 1000);
    List<Integer> histories = intsOption(args, "--history", List.of(10, 1000, 5000));
    System.out.printf(Locale.ROOT,
        "Orca bench: %d syncs (+%d warm-up) per history of %s commits, baseline %d Kafka hops, %d cores, Java %s%n",
        syncs, warmup, histories, hops, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    SyncToCommandBench.Result result = new SyncToCommandBench(syncs, warmup, hops, histories).run();
    result.print(System.out);
  }

  private static void polling(String[] args) throws Exception {
    int repositories = intOption(args, "--repositories", 2000);
    int interval = intOption(args, "--interval", 30);
    int rounds = intOption(args, "--rounds", 3);
    System.out.printf(Locale.ROOT, "Orca polling bench: %,d repositories polled every %d s and one that hangs, "
        + "%d rounds measured, %d cores, Java %s%n", repositories, interval, rounds,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    new PollingBench(repositories, interval, rounds).run().print(System.out);
  }

  private static void push(String[] args) throws Exception {
    int applications = intOption(args, "--applications", 1000);
    List<Integer> changed = intsOption(args, "--changed", List.of(1, 10));
    int pushes = intOption(args, "--pushes", 30);
    int hops = intOption(args, "--hops", 1000);
    System.out.printf(Locale.ROOT,
        "Orca push bench: %,d applications in one repository, %d pushes each changing %s of them, baseline %d Kafka "
            + "hops, %d cores, Java %s%n", applications, pushes, changed, hops,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    new PushFanOutBench(applications, changed, pushes, hops).run().print(System.out);
  }

  private static void startup(String[] args) throws Exception {
    Path root = Path.of(option(args, "--root", ".")).toAbsolutePath().normalize();
    String command = option(args, "--command", null);
    List<String> launch = command != null
        ? List.of(command.trim().split("\\s+"))
        : List.of(root.resolve("orca").toString(), "up", "--no-build");
    if (command == null && !Files.isExecutable(root.resolve("orca"))) {
      throw new IllegalArgumentException(root + " holds no orca script; run from the checkout or give --root");
    }
    StartupBench.Options options = new StartupBench.Options(root, launch, intOption(args, "--restarts", 3),
        Duration.ofSeconds(intOption(args, "--deadline-s", 180)),
        !"false".equals(option(args, "--render", "true")), Arrays.asList(args).contains("--keep"));
    System.out.printf(Locale.ROOT, "Orca start-up bench: %s, %d restarts, %d cores, Java %s%n",
        String.join(" ", launch), options.restarts(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    new StartupBench(options, System.out).run().print(System.out);
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  /** A comma-separated list of positive integers, like {@code --history 10,1000,5000}. */
  static List<Integer> intsOption(String[] args, String name, List<Integer> fallback) {
    String value = option(args, name, null);
    if (value == null) {
      return fallback;
    }
    List<Integer> values = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
    if (values.isEmpty() || values.stream().anyMatch(v -> v < 1)) {
      throw new IllegalArgumentException(name + " takes positive integers separated by commas: " + value);
    }
    return values;
  }

  private static int intOption(String[] args, String name, int fallback) {
    String value = option(args, name, null);
    return value == null ? fallback : Integer.parseInt(value);
  }
}
