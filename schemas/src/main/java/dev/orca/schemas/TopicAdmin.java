package dev.orca.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics that do not exist yet, and checks that those that do have the partition count
 * this deployment needs; safe to call from every component at start-up.
 */
public final class TopicAdmin {

  private TopicAdmin() {}

  /** Deletes {@code names}; one already gone is fine. */
  public static void delete(Admin admin, Collection<String> names, Duration timeout) {
    try {
      for (var deletion : admin.deleteTopics(names).topicNameValues().entrySet()) {
        try {
          deletion.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
            throw new IllegalStateException("cannot delete topic " + deletion.getKey() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot delete topics " + names + " within " + timeout, e);
    }
  }

  /**
   * Creates what is missing, then refuses (with what to do) a topic whose partition count differs
   * from the one asked for: keyed topics are co-partitioned (deploy-requests with every
   * agent.&lt;id&gt;.events, sync-requests with the poll schedule), and a topic made earlier with
   * another {@code ORCA_TOPIC_PARTITIONS} would send one key's records to different tasks.
   */
  public static void ensure(Admin admin, Collection<NewTopic> topics, Duration timeout) {
    try {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(topic);
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!missing.isEmpty()) {
        // Each topic's own outcome: one that exists already (another component made it) is fine,
        // and only those refused are asked for again, so a batch partly created leaves none out.
        Map<String, org.apache.kafka.common.KafkaFuture<Void>> created = admin.createTopics(missing).values();
        List<NewTopic> refused = new ArrayList<>();
        ExecutionException last = null;
        for (NewTopic topic : missing) {
          try {
            created.get(topic.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
              continue;
            }
            // A grant made a moment ago may not have reached the broker's authorizer yet: asked
            // again until the timeout, then the refusal is final.
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicAuthorizationException)) {
              throw e;
            }
            refused.add(topic);
            last = e;
          }
        }
        if (!refused.isEmpty() && System.nanoTime() > deadline) {
          throw last;
        }
        missing = refused;
        if (!missing.isEmpty()) {
          Thread.sleep(200);
        }
      }
      checkPartitions(admin, topics, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (PartitionMismatchException e) {
      throw e;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
    }
  }

  private static void checkPartitions(Admin admin, Collection<NewTopic> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, TopicDescription> described = describe(admin, topics.stream().map(NewTopic::name).toList(), timeout);
    List<String> wrong = new ArrayList<>();
    for (NewTopic topic : topics) {
      TopicDescription description = described.get(topic.name());
      if (topic.numPartitions() > 0 && description != null && description.partitions().size() != topic.numPartitions()) {
        wrong.add(topic.name() + " has " + description.partitions().size() + " partitions, this deployment needs "
            + topic.numPartitions());
      }
    }
    if (!wrong.isEmpty()) {
      throw new PartitionMismatchException("refusing to start: " + String.join("; ", wrong)
          + ". Keyed topics must be co-partitioned: set ORCA_TOPIC_PARTITIONS to the count the existing topics"
          + " have, or recreate them (their records are lost).");
    }
  }

  /**
   * Describes the topics; just created ones may take a moment to be known to every broker, and a
   * grant just made to the authorizer.
   */
  private static Map<String, TopicDescription> describe(Admin admin, List<String> names, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException
            || e.getCause() instanceof org.apache.kafka.common.errors.TopicAuthorizationException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /** An existing topic has another partition count than this deployment needs. */
  public static final class PartitionMismatchException extends IllegalStateException {
    PartitionMismatchException(String message) {
      super(message);
    }
  }
}
