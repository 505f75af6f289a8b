/**
 * Appending to the {@code events} table behind SSE, shared by every writer (projector, liveness
 * sweeper, configuration stores) so all of them serialise on one lock and notify the same way.
 */
package dev.orca.gateway.eventlog;
