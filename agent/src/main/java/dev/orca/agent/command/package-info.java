/**
 * The command loop: consumes {@code agent.<id>.commands}, applies each command through the
 * compose runtime and writes its result to {@code agent.<id>.events} before committing.
 */
package dev.orca.agent.command;
