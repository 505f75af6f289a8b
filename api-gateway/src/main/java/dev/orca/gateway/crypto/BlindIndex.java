package dev.orca.gateway.crypto;

import dev.orca.schemas.crypto.Keys;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Keyed blind index of application names: HMAC-SHA256 of the normalised name (NFC, trimmed,
 * lower-cased) with a key derived from APP_SECRET, so uniqueness can be enforced on encrypted
 * names without revealing them. Recompute every index after a key rotation.
 */
public final class BlindIndex {

  private final Keys keys;

  public BlindIndex(Keys keys) {
    this.keys = keys;
  }

  public static String normalise(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFC).trim().toLowerCase(Locale.ROOT);
  }

  public String of(String name) {
    return HexFormat.of().formatHex(keys.blindIndexHmac(normalise(name).getBytes(StandardCharsets.UTF_8)));
  }
}
