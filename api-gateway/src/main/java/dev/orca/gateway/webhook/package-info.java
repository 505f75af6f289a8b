/**
 * Git webhooks: {@code POST /api/v1/webhooks/repositories/{id}} checks a delivery against the
 * repository's provider and secret and turns a push into a sync request with the pushed SHA.
 * Image webhooks: {@code POST /api/v1/webhooks/images/{id}} turns a registry's push of an image
 * the application runs into an image update. Both read the payload with {@link WebhookPayload}.
 */
package dev.orca.gateway.webhook;
