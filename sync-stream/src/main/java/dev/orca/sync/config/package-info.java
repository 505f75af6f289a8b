/**
 * sync-stream's view of configuration: repositories and applications from the global config
 * stores, the configuration revision gate, and the requests held until the gate opens.
 */
package dev.orca.sync.config;
