/**
 * Change detection, edge-triggered by commit: per application, the last commit and compose
 * digest sync-stream sent. A commit already sent is not processed again; a new one is sent
 * with {@code composeChanged} telling whether the digest differs (deploy-dispatcher decides).
 */
package dev.orca.sync.detect;
