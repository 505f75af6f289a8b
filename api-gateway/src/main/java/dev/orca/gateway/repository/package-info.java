/**
 * Git repositories: validated configuration with encrypted credentials and webhook secret,
 * {@code RepositoryConfig} snapshots through the outbox, and manual syncs published to
 * {@code sync-requests}. Secrets are write-only: no answer ever contains them.
 */
package dev.orca.gateway.repository;
