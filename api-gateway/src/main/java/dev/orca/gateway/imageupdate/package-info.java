/**
 * Image updates: requests from image webhooks and from agents' image checks, debounced per
 * application in PostgreSQL, sent as image-update syncs through the outbox.
 */
package dev.orca.gateway.imageupdate;
