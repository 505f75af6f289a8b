/**
 * The deploy state machine (SPEC.md rules 5–8): which requests become deployments, supersession,
 * how agent results and deadlines end them, and the application status each outcome implies.
 */
package dev.orca.dispatch.deployment;
