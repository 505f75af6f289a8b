package dev.orca.gateway.application;

import dev.orca.schemas.crypto.SecretBox;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Application names by their ciphertext. Names are sealed at rest, so a list of 10,000
 * applications would decrypt 10,000 names per request; a ciphertext is unique to its name (a
 * fresh nonce each time one is sealed), so the plaintext it once gave can be reused until the name
 * is sealed again (renamed, or a new key). Names are what every signed-in user sees: keeping them
 * in the gateway's memory exposes nothing the API does not.
 */
final class NameCache {

  /** More than a fleet's names: at this size the cache starts over rather than grow. */
  static final int MAX_ENTRIES = 100_000;

  private final SecretBox secrets;
  private final Map<String, String> names = new ConcurrentHashMap<>();

  NameCache(SecretBox secrets) {
    this.secrets = secrets;
  }

  String decrypt(String ciphertext) {
    if (ciphertext == null) {
      return null;
    }
    String name = names.get(ciphertext);
    if (name == null) {
      name = secrets.decrypt(ciphertext);
      if (names.size() >= MAX_ENTRIES) {
        names.clear(); // names sealed again (renames, key rotations) leave entries nobody reads
      }
      names.put(ciphertext, name);
    }
    return name;
  }
}
