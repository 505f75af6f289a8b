package dev.orca.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Constant-time checks of webhook secrets and HMAC signatures. */
final class WebhookSignatures {

  private WebhookSignatures() {}

  /** Whether {@code given} is the hex HMAC-SHA256 of the body under the secret (case-insensitive hex). */
  static boolean hmacSha256Matches(String secret, byte[] body, String given) {
    if (given == null) {
      return false;
    }
    String expected = HexFormat.of().formatHex(hmacSha256(secret, body));
    return equalSecrets(expected, given.trim().toLowerCase(Locale.ROOT));
  }

  /** Compares two secrets in time that depends on neither (both are hashed to the same length first). */
  static boolean equalSecrets(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(expected), sha256(given));
  }

  static byte[] hmacSha256(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is always available", e);
    }
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
