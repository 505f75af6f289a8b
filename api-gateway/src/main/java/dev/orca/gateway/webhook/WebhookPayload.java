package dev.orca.gateway.webhook;

import dev.orca.gateway.web.ApiException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * A webhook's JSON payload, read the same way for git and image webhooks: GitHub sends it as
 * JSON or, when the hook's content type is {@code application/x-www-form-urlencoded}, as
 * {@code payload=<json>}. Signatures are checked over the raw body before this runs.
 */
final class WebhookPayload {

  private WebhookPayload() {}

  /** The payload; an empty or blank body is a missing node (a generic webhook without a body). 400 when malformed. */
  static JsonNode read(JsonMapper json, HttpHeaders headers, byte[] body) {
    if (body.length == 0) {
      return MissingNode.getInstance();
    }
    String text = new String(body, StandardCharsets.UTF_8);
    MediaType type = headers.getContentType();
    if (type != null && MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(type)) {
      try {
        text = formField(text, "payload");
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("the form-encoded webhook body has a malformed % escape");
      }
      if (text == null) {
        throw ApiException.badRequest("a form-encoded webhook needs a payload field");
      }
    }
    if (text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      throw ApiException.badRequest("the webhook body is not valid JSON");
    }
  }

  private static String formField(String form, String name) {
    for (String pair : form.split("&")) {
      int equals = pair.indexOf('=');
      String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
