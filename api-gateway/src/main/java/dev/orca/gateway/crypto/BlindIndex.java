package dev.orca.gateway.crypto;

import dev.orca.schemas.crypto.Keys;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Keyed blind index of application names: HMAC-SHA256 of the normalised name with a key derived
 * from APP_SECRET, so uniqueness can be enforced on encrypted names without revealing them.
 * Normalised so that names a person cannot tell apart are one name: compatibility forms folded
 * (NFKC: full-width letters, ligatures, a no-break space), invisible characters dropped
 * (zero-width spaces and joiners, soft hyphens, byte-order marks, fillers), runs of white space
 * made one space, trimmed, lower-cased. Recompute every index after a key rotation, and after
 * this rule changes ({@code ApplicationNameIndexes}).
 */
public final class BlindIndex {

  private final Keys keys;

  public BlindIndex(Keys keys) {
    this.keys = keys;
  }

  public static String normalise(String name) {
    // Invisible characters go first, so none keeps a letter from composing with its accent.
    String folded = Normalizer.normalize(dropInvisible(name), Normalizer.Form.NFKC);
    StringBuilder out = new StringBuilder(folded.length());
    boolean space = false;
    for (int i = 0; i < folded.length(); ) {
      int cp = folded.codePointAt(i);
      i += Character.charCount(cp);
      if (invisible(cp)) {
        continue;
      }
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        space = true;
        continue;
      }
      if (space && !out.isEmpty()) {
        out.append(' ');
      }
      space = false;
      out.appendCodePoint(cp);
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  private static String dropInvisible(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().filter(cp -> !invisible(cp)).forEach(out::appendCodePoint);
    return out.toString();
  }

  /** Characters that print as nothing: format controls (Cf) and the fillers that look blank. */
  private static boolean invisible(int cp) {
    return Character.getType(cp) == Character.FORMAT || cp == 0x115F || cp == 0x1160 || cp == 0x3164
        || cp == 0xFFA0 || cp == 0x034F || (cp >= 0xFE00 && cp <= 0xFE0F);
  }

  public String of(String name) {
    return HexFormat.of().formatHex(keys.blindIndexHmac(normalise(name).getBytes(StandardCharsets.UTF_8)));
  }
}
