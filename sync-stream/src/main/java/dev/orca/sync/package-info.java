/**
 * sync-stream: the Kafka Streams application that turns every SyncRequested into
 * DeployRequested records (deploy-requests) and repository/application status events (status).
 * {@link dev.orca.sync.SyncTopology} is the pure topology; {@link dev.orca.sync.SyncStream} its lifecycle.
 */
package dev.orca.sync;
