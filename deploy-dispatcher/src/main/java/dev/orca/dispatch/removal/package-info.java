/**
 * Removal of an application's stack (SPEC.md rule 10): RemoveCommand with the requester's
 * deadline, then ApplicationRemovalFinished from the agent's result or the deadline.
 */
package dev.orca.dispatch.removal;
