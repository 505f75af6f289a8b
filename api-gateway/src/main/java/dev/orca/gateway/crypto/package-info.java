/** Encryption at rest and blind indexes, with keys derived from APP_SECRET by HKDF. */
package dev.orca.gateway.crypto;
