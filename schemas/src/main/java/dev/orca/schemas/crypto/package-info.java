/**
 * Encryption: at rest with keys derived from APP_SECRET by HKDF (the gateway encrypts repository
 * secrets and application fields with {@link dev.orca.schemas.crypto.SecretBox}, and sync-stream
 * decrypts repository secrets with the same format and the same APP_SECRET), and an application's
 * environment sealed for its agent with {@link dev.orca.schemas.crypto.EnvironmentCipher}.
 */
package dev.orca.schemas.crypto;
