package dev.orca.sync;

import java.util.concurrent.atomic.AtomicLong;

/** How many records sync-stream sent to the dead letters since it started. */
public final class DeadLetterCount {

  private final AtomicLong count = new AtomicLong();

  long increment() {
    return count.incrementAndGet();
  }

  public long get() {
    return count.get();
  }
}
