package dev.orca.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Samples this JVM's used heap and resident memory every 50 ms while open and keeps the peaks;
 * {@link #baseline} before the part being measured starts tells what it added.
 */
final class MemoryPeak implements AutoCloseable {

  record Figures(long heapMegabytes, long rssMegabytes) {}

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakHeap;
  private volatile long peakRss;

  MemoryPeak() {
    sampler = new Thread(() -> {
      while (running) {
        sample();
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "memory-peak");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Used heap and RSS right now. */
  static Figures now() {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new Figures(heap >> 20, rss());
  }

  Figures peak() {
    sample();
    return new Figures(peakHeap >> 20, peakRss);
  }

  private void sample() {
    peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
    peakRss = Math.max(peakRss, rss());
  }

  private static long rss() {
    try {
      return ProcStat.of(ProcessHandle.current().pid()).rssMegabytes();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join(1000);
  }
}
