package dev.orca.agent.command;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each assigned partition are handed out and not finished yet. A partition's
 * committable offset is its lowest unfinished one (or one past the last seen when all are
 * finished), so offsets are committed in order per partition however the commands finish.
 * Used by the poll thread only.
 */
final class OffsetTracker {

  private final Map<TopicPartition, Partition> partitions = new HashMap<>();

  private static final class Partition {
    final TreeSet<Long> unfinished = new TreeSet<>();
    long next = -1;
    long committed = -1;

    long committable() {
      return unfinished.isEmpty() ? next : unfinished.first();
    }
  }

  void started(TopicPartition partition, long offset) {
    Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
    p.unfinished.add(offset);
    p.next = Math.max(p.next, offset + 1);
  }

  /** A finished offset of a partition no longer tracked (revoked meanwhile) is ignored. */
  void finished(TopicPartition partition, long offset) {
    Partition p = partitions.get(partition);
    if (p != null) {
      p.unfinished.remove(offset);
    }
  }

  int unfinished() {
    int n = 0;
    for (Partition p : partitions.values()) {
      n += p.unfinished.size();
    }
    return n;
  }

  /** Offsets to commit now: each partition whose committable offset moved since its last commit. */
  Map<TopicPartition, OffsetAndMetadata> toCommit() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    partitions.forEach((tp, p) -> {
      long offset = p.committable();
      if (offset > p.committed) {
        out.put(tp, new OffsetAndMetadata(offset));
      }
    });
    return out;
  }

  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, offset) -> {
      Partition p = partitions.get(tp);
      if (p != null) {
        p.committed = Math.max(p.committed, offset.offset());
      }
    });
  }

  void forget(TopicPartition partition) {
    partitions.remove(partition);
  }
}
