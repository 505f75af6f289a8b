package dev.orca.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads at one moment, by thread id. The difference of two, grouped by
 * name with the numbers taken out ({@code reactor-tcp-epoll-3} counts as {@code reactor-tcp-epoll-#}),
 * tells which part of the JVM did the work: a projector whose thread and driver threads use far
 * less than the wall time is waiting, not computing.
 */
final class ThreadCpu {

  private record Sample(String name, long cpuNanos) {}

  private final Map<Long, Sample> threads;

  private ThreadCpu(Map<Long, Sample> threads) {
    this.threads = threads;
  }

  static ThreadCpu now() {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Map<Long, Sample> threads = new HashMap<>();
    for (var info : bean.getThreadInfo(bean.getAllThreadIds())) {
      if (info != null) {
        long cpu = bean.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          threads.put(info.getThreadId(), new Sample(info.getThreadName(), cpu));
        }
      }
    }
    return new ThreadCpu(threads);
  }

  /** Seconds of CPU since {@code before} per thread group, largest first (threads started since count whole). */
  Map<String, Double> since(ThreadCpu before) {
    Map<String, Double> groups = new HashMap<>();
    threads.forEach((id, sample) -> {
      Sample earlier = before.threads.get(id);
      boolean same = earlier != null && earlier.name().equals(sample.name());
      long used = sample.cpuNanos() - (same ? earlier.cpuNanos() : 0);
      groups.merge(group(sample.name()), used / 1e9, Double::sum);
    });
    Map<String, Double> sorted = new LinkedHashMap<>();
    groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** The thread's name with each run of digits made {@code #}: one group per pool. */
  static String group(String name) {
    return name.replaceAll("[0-9]+", "#");
  }
}
