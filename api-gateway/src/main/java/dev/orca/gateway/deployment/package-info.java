/**
 * Deployment rows as the history and the SSE {@code deployment} event show them: one per attempt
 * of an application, written by the projector, read here. They outlive their application.
 */
package dev.orca.gateway.deployment;
