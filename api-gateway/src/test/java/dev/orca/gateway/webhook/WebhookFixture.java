package dev.orca.gateway.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A provider's delivery from {@code src/test/resources/webhooks}: the body with the pushed
 * commit and a delivery id filled in, and the headers signed for a secret the way that
 * provider signs.
 */
record WebhookFixture(byte[] body, Map<String, String> headers, String deliveryId) {

  static WebhookFixture of(String name, String commit, String secret) {
    return of(name, commit, secret, UUID.randomUUID().toString());
  }

  static WebhookFixture of(String name, String commit, String secret, String deliveryId) {
    String body = resource(name + ".json").replace("${COMMIT}", commit).replace("${DELIVERY}", deliveryId);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String signature = HexFormat.of().formatHex(WebhookSignatures.hmacSha256(secret, bytes));
    String basic = Base64.getEncoder().encodeToString(("orca:" + secret).getBytes(StandardCharsets.UTF_8));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : resource(name + ".headers").split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim()
          .replace("${SIGNATURE}", signature).replace("${SECRET}", secret).replace("${BASIC}", basic)
          .replace("${DELIVERY}", deliveryId));
    }
    return new WebhookFixture(bytes, headers, deliveryId);
  }

  /** The same delivery with one header replaced (or removed when {@code value} is null). */
  WebhookFixture withHeader(String name, String value) {
    Map<String, String> changed = new LinkedHashMap<>(headers);
    changed.remove(name);
    if (value != null) {
      changed.put(name, value);
    }
    return new WebhookFixture(body, changed, deliveryId);
  }

  private static String resource(String name) {
    try (InputStream in = WebhookFixture.class.getResourceAsStream("/webhooks/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no webhook fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
