/** The audit log: every change made through the API, webhooks and GitHub Actions, and its admin view. */
package dev.orca.gateway.audit;
