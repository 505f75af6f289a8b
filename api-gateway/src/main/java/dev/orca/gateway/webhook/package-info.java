/**
 * Git webhooks: {@code POST /api/v1/webhooks/repositories/{id}} checks a delivery against the
 * repository's provider and secret and turns a push into a sync request with the pushed SHA.
 */
package dev.orca.gateway.webhook;
