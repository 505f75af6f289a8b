/**
 * {@code POST /api/v1/github-actions}: a GitHub Actions workflow's OIDC token, verified against
 * the issuer's published keys, starts a sync of the repositories that allow that workflow, at the
 * commit it ran for.
 */
package dev.orca.gateway.githubactions;
