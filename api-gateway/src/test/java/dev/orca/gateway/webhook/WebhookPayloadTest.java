package dev.orca.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.web.ApiException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

class WebhookPayloadTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void shouldReadAFormEncodedPayloadAsItsJson() {
    byte[] form = ("other=1&payload=" + URLEncoder.encode("{\"action\":\"published\",\"n\":\"a&b=c\"}",
        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

    var payload = WebhookPayload.read(JSON, headers(MediaType.APPLICATION_FORM_URLENCODED), form);

    assertThat(payload.path("action").stringValue()).isEqualTo("published");
    assertThat(payload.path("n").stringValue()).isEqualTo("a&b=c");
  }

  @Test
  void shouldReadJsonAndTakeAnEmptyBodyForNone() {
    assertThat(WebhookPayload.read(JSON, headers(MediaType.APPLICATION_JSON), "{\"image\":\"x\"}"
        .getBytes(StandardCharsets.UTF_8)).path("image").stringValue()).isEqualTo("x");
    assertThat(WebhookPayload.read(JSON, headers(MediaType.APPLICATION_JSON), new byte[0]).isMissingNode()).isTrue();
    assertThat(WebhookPayload.read(JSON, new HttpHeaders(), " \n".getBytes(StandardCharsets.UTF_8)).isMissingNode())
        .isTrue();
  }

  @Test
  void shouldRefuseAFormWithoutPayloadAndABodyThatIsNotJson() {
    assertThatThrownBy(() -> WebhookPayload.read(JSON, headers(MediaType.APPLICATION_FORM_URLENCODED),
        "other=1".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ApiException.class).hasMessage("a form-encoded webhook needs a payload field");
    assertThatThrownBy(() -> WebhookPayload.read(JSON, headers(MediaType.APPLICATION_JSON),
        "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ApiException.class).hasMessage("the webhook body is not valid JSON");
    assertThatThrownBy(() -> WebhookPayload.read(JSON, headers(MediaType.APPLICATION_FORM_URLENCODED),
        "payload=%7B%zz".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ApiException.class).hasMessage("the form-encoded webhook body has a malformed % escape")
        .extracting(e -> ((ApiException) e).status().value()).isEqualTo(400);
  }

  private static HttpHeaders headers(MediaType type) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(type);
    return headers;
  }
}
