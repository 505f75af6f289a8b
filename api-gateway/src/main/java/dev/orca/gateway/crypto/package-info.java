/** Blind indexes of application names, keyed by a key derived from APP_SECRET ({@link dev.orca.schemas.crypto.Keys}). */
package dev.orca.gateway.crypto;
