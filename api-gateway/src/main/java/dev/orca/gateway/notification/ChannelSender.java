package dev.orca.gateway.notification;

import dev.orca.git.EgressHttpClients;
import dev.orca.git.EgressPolicy;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.CloseableHttpClient;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Says one {@link Message} on one channel, the way its receiver takes it: a generic webhook gets the
 * JSON payload (signed with HMAC-SHA256 of the body under the channel's secret, when it has one);
 * Slack, Discord and Microsoft Teams their incoming webhooks' JSON; Gotify and ntfy their push
 * APIs; email a plain-text mail over SMTP (STARTTLS required, implicit TLS, or none). Every
 * connection is checked against the egress policy and bounded by a timeout. Blocking: callers run
 * it off the event loop. Throws {@link DeliveryException} saying why a delivery failed, never with
 * a secret in it.
 */
final class ChannelSender {

  static final String SIGNATURE_HEADER = "X-Orca-Signature-256";
  private static final int MAX_ANSWER = 300;

  private final EgressPolicy egress;
  private final JsonMapper json;
  private final Duration timeout;

  ChannelSender(EgressPolicy egress, JsonMapper json, Duration timeout) {
    this.egress = egress;
    this.json = json;
    this.timeout = timeout;
  }

  /** Why a delivery failed, as the delivery log and the test button say it. */
  static final class DeliveryException extends Exception {
    DeliveryException(String message) {
      super(message);
    }
  }

  void send(NotificationStore.Channel channel, Message message) throws DeliveryException {
    switch (channel.type()) {
      case "webhook" -> webhook(channel, message);
      // Names and errors are quoted as text: no <!channel> or @everyone of theirs pings anyone.
      case "slack" -> post(channel.url(), body(Map.of("text", "*" + slackText(message.title()) + "*\n"
          + slackText(message.textWithLink()))), Map.of());
      case "discord" -> post(channel.url(), body(Map.of("username", "Orca",
          "content", limit("**" + message.title() + "**\n" + message.textWithLink(), 2000),
          "allowed_mentions", Map.of("parse", List.of()))), Map.of());
      case "teams" -> post(channel.url(), body(teams(message)), Map.of());
      case "gotify" -> gotify(channel, message);
      case "ntfy" -> ntfy(channel, message);
      case "email" -> email(channel, message);
      default -> throw new DeliveryException("unknown channel type " + channel.type());
    }
  }

  private void webhook(NotificationStore.Channel channel, Message message) throws DeliveryException {
    byte[] body = body(message.payload());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Orca-Event", message.event());
    headers.put("X-Orca-Delivery", message.eventId());
    if (channel.secret() != null) {
      headers.put(SIGNATURE_HEADER, "sha256=" + hmac(channel.secret(), body));
    }
    post(channel.url(), body, headers);
  }

  /** An Adaptive Card in a message, what Teams' incoming webhooks (and Workflows) take. */
  private static Map<String, Object> teams(Message message) {
    List<Object> blocks = new java.util.ArrayList<>();
    blocks.add(Map.of("type", "TextBlock", "text", message.title(), "weight", "Bolder", "size", "Medium", "wrap", true));
    blocks.add(Map.of("type", "TextBlock", "text", message.text(), "wrap", true));
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    card.put("body", blocks);
    if (message.link() != null) {
      card.put("actions", List.of(Map.of("type", "Action.OpenUrl", "title", "Open in Orca", "url", message.link())));
    }
    return Map.of("type", "message", "attachments",
        List.of(Map.of("contentType", "application/vnd.microsoft.card.adaptive", "content", card)));
  }

  private void gotify(NotificationStore.Channel channel, Message message) throws DeliveryException {
    if (channel.secret() == null) {
      throw new DeliveryException("a Gotify channel needs its application token as secret");
    }
    String url = channel.url().endsWith("/message") ? channel.url()
        : channel.url().replaceAll("/+$", "") + "/message";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", message.title());
    body.put("message", message.textWithLink());
    body.put("priority", message.problem() ? 8 : 4);
    post(url, body(body), Map.of("X-Gotify-Key", channel.secret()));
  }

  private void ntfy(NotificationStore.Channel channel, Message message) throws DeliveryException {
    Map<String, String> headers = new LinkedHashMap<>();
    // Header values are Latin-1 on the wire; ntfy reads RFC 2047 encoded words for anything else.
    headers.put("Title", encodedWord(message.title()));
    headers.put("Priority", message.problem() ? "high" : "default");
    headers.put("Tags", message.problem() ? "warning" : "white_check_mark");
    if (message.link() != null) {
      headers.put("Click", message.link());
    }
    if (channel.secret() != null) {
      headers.put("Authorization", "Bearer " + channel.secret());
    }
    post(channel.url(), message.text().getBytes(StandardCharsets.UTF_8), headers, ContentType.create("text/plain", StandardCharsets.UTF_8));
  }

  private void email(NotificationStore.Channel channel, Message message) throws DeliveryException {
    NotificationStore.Email email = channel.email();
    boolean login = email.username() != null && !email.username().isBlank();
    if (login && "none".equals(email.security())) {
      // A channel saved before the API refused this (or imported): its password stays off the wire.
      throw new DeliveryException("email.security none would send the password unencrypted: use starttls or tls"
          + " to sign in to the SMTP server");
    }
    JavaMailSenderImpl mail = new JavaMailSenderImpl();
    mail.setHost(email.host());
    mail.setPort(email.port());
    mail.setDefaultEncoding("UTF-8");
    if (email.username() != null && !email.username().isBlank()) {
      mail.setUsername(email.username());
      mail.setPassword(email.password());
    }
    Properties props = mail.getJavaMailProperties();
    String millis = String.valueOf(timeout.toMillis());
    props.put("mail.smtp.connectiontimeout", millis);
    props.put("mail.smtp.timeout", millis);
    props.put("mail.smtp.writetimeout", millis);
    props.put("mail.smtp.auth", String.valueOf(email.username() != null && !email.username().isBlank()));
    // Connections only where the egress policy allows, to the very address that was checked.
    int connectMillis = (int) timeout.toMillis();
    props.put("mail.smtp.socketFactory", new CheckedSockets.Plain(egress, connectMillis));
    props.put("mail.smtp.socketFactory.fallback", "false");
    // SMTPS too: the mail library connects the checked plain socket, then layers the JDK's TLS
    // (with the host name, for the certificate check) over it.
    props.put("mail.smtps.socketFactory", new CheckedSockets.Plain(egress, connectMillis));
    props.put("mail.smtps.socketFactory.fallback", "false");
    switch (email.security()) {
      case "starttls" -> {
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.checkserveridentity", "true");
      }
      case "tls" -> {
        mail.setProtocol("smtps");
        props.put("mail.smtps.connectiontimeout", millis);
        props.put("mail.smtps.timeout", millis);
        props.put("mail.smtps.writetimeout", millis);
        props.put("mail.smtps.auth", props.get("mail.smtp.auth"));
        props.put("mail.smtps.ssl.checkserveridentity", "true");
      }
      default -> { }
    }
    try {
      var mime = mail.createMimeMessage();
      MimeMessageHelper helper = new MimeMessageHelper(mime, false, "UTF-8");
      helper.setFrom(email.from());
      helper.setTo(email.to().toArray(String[]::new));
      helper.setSubject("[Orca] " + message.title());
      helper.setText(message.textWithLink() + "\n\n-- \nSent by Orca for the channel " + channel.name() + ".");
      mime.setHeader("X-Orca-Event", message.event());
      mail.send(mime);
    } catch (MailException | MessagingException e) {
      throw new DeliveryException("SMTP " + email.host() + ":" + email.port() + ": " + rootMessage(e));
    }
  }

  private void post(String url, byte[] body, Map<String, String> headers) throws DeliveryException {
    post(url, body, headers, ContentType.APPLICATION_JSON);
  }

  private void post(String url, byte[] body, Map<String, String> headers, ContentType type) throws DeliveryException {
    HttpPost post = new HttpPost(url);
    post.setHeader("User-Agent", "Orca-Notifications");
    headers.forEach(post::setHeader);
    post.setEntity(new ByteArrayEntity(body, type));
    // A client per message: the guarded client holds one connection, and deliveries run side by side.
    try (CloseableHttpClient http = EgressHttpClients.create(egress, timeout);
        CloseableHttpResponse response = http.execute(post)) {
      int status = response.getStatusLine().getStatusCode();
      if (status >= 200 && status < 300) {
        return; // the answer's body is not read: closing drops the connection instead
      }
      // Only the start of an error answer is read: a receiver cannot make Orca hold a large body.
      String answer = "";
      if (response.getEntity() != null) {
        try (var in = response.getEntity().getContent()) {
          answer = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
      }
      {
        throw new DeliveryException(NotificationRules.redacted(url) + ": the receiver answered " + status
            + (answer.isBlank() ? "" : ": " + limit(answer.replaceAll("[\\p{Cntrl}\\s]+", " ").strip(), MAX_ANSWER)));
      }
    } catch (IOException | RuntimeException e) {
      String refusal = EgressHttpClients.refusal(e);
      if (refusal != null) {
        throw new DeliveryException(NotificationRules.redacted(url) + ": " + refusal);
      }
      throw new DeliveryException(NotificationRules.redacted(url) + ": " + rootMessage(e));
    }
  }

  private byte[] body(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException("cannot write the notification as JSON", e));
    }
  }

  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Slack's control characters escaped, as its message formatting asks. */
  private static String slackText(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** RFC 2047 for a header that is not plain ASCII. */
  private static String encodedWord(String text) {
    boolean ascii = text.chars().allMatch(c -> c >= 32 && c < 127);
    return ascii ? text : "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  private static String limit(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return limit(message.replaceAll("\\s+", " ").strip(), MAX_ANSWER);
  }
}
