package dev.orca.gateway.backup;

import reactor.core.publisher.Mono;

/**
 * Publishes one kind of stored configuration to the broker again, every entity under a new
 * revision, as if each had just been saved: what a restored database needs on a broker that has
 * never seen it ({@link RestoredConfiguration}). Ordered: agents, repositories, applications.
 */
public interface Republisher {

  /** What it republishes, for the log: "agents", say. */
  String what();

  /** Republishes every entity; how many. Safe to run twice. */
  Mono<Integer> republishAll();
}
