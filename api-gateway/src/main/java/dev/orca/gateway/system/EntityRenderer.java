package dev.orca.gateway.system;

import reactor.core.publisher.Mono;

/**
 * Renders one entity exactly as its GET endpoint returns it, for SSE. {@code entity} is
 * {@code application}, {@code repository}, {@code agent} or {@code deployment}; the Mono is
 * empty when the entity does not exist (any more).
 */
public interface EntityRenderer {
  Mono<Object> render(String entity, String id);
}
