/** Prometheus metrics of the gateway: the registry, what it measures on each scrape, and {@code GET /metrics}. */
package dev.orca.gateway.metrics;
