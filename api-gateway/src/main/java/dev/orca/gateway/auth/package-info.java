/**
 * Local users, sessions and personal API tokens: registration of the first (admin) user,
 * login with an argon2id-checked password, the session cookie, and the filter that
 * authenticates every non-public {@code /api/v1} request and refuses cross-origin writes.
 */
package dev.orca.gateway.auth;
