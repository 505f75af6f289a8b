package dev.orca.bench;

import java.util.Locale;

/**
 * {@code ./orca bench}: runs every benchmark and prints its figures next to the baseline
 * measured on the same broker in the same run. Options: {@code --syncs N} (default 300),
 * {@code --warmup N} (20), {@code --hops N} (1000).
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    int syncs = intOption(args, "--syncs", 300);
    int warmup = intOption(args, "--warmup", 20);
    int hops = intOption(args, "--hops", 1000);
    System.out.printf(Locale.ROOT, "Orca bench: %d syncs (+%d warm-up), baseline %d Kafka hops, %d cores, Java %s%n",
        syncs, warmup, hops, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    SyncToCommandBench.Result result = new SyncToCommandBench(syncs, warmup, hops).run();
    result.print(System.out);
    System.exit(0);
  }

  private static int intOption(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
