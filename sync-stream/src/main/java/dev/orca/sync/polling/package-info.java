/**
 * Polling: which repositories of type {@code polling} this task polls (those whose id falls in
 * its sync-requests partition) and when each last did.
 */
package dev.orca.sync.polling;
