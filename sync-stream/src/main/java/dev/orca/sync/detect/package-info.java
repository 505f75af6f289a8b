/**
 * Change detection, edge-triggered by commit: per application, the last commit, compose digest,
 * agent and path sync-stream sent. A commit already sent is not processed again unless the send
 * is forced (manual deploy, configuration change); a sent one carries {@code composeChanged}
 * telling whether digest, agent or path differ (deploy-dispatcher decides).
 */
package dev.orca.sync.detect;
