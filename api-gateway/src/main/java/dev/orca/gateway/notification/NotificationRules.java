package dev.orca.gateway.notification;

import dev.orca.gateway.web.ApiException;
import dev.orca.git.EgressPolicy;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** What a notification channel may be: every field checked, each refusal a 400 saying why. */
final class NotificationRules {

  static final List<String> TYPES = List.of("webhook", "slack", "discord", "teams", "gotify", "ntfy", "email");
  static final List<String> SECURITY = List.of("starttls", "tls", "none");
  /** Types whose target takes a secret: the webhook's signing key, Gotify's application token, ntfy's access token. */
  static final Set<String> WITH_SECRET = Set.of("webhook", "gotify", "ntfy");
  static final int MAX_RECIPIENTS = 20;

  private final EgressPolicy egress;

  NotificationRules(EgressPolicy egress) {
    this.egress = egress;
  }

  static String name(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("name is required");
    }
    String trimmed = name.strip();
    if (trimmed.length() > 100) {
      throw ApiException.badRequest("name must be at most 100 characters");
    }
    return trimmed;
  }

  static String type(String type) {
    if (type == null || !TYPES.contains(type)) {
      throw ApiException.badRequest("type must be one of " + String.join(", ", TYPES));
    }
    return type;
  }

  /** An http(s) URL whose host Orca may reach, without credentials in it. */
  String url(String url) {
    if (url == null || url.isBlank()) {
      throw ApiException.badRequest("url is required: where the messages are posted");
    }
    if (url.length() > 2000) {
      throw ApiException.badRequest("url must be at most 2000 characters");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("url is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw ApiException.badRequest("url must start with https:// or http://");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.badRequest("put credentials in secret, not in the URL");
    }
    host(uri.getHost(), "url");
    return uri.toString();
  }

  /** 400 when Orca may never connect to {@code host} (metadata, link-local, loopback outside local mode…). */
  void host(String host, String field) {
    String refusal = egress.checkHost(host);
    if (refusal != null) {
      throw ApiException.badRequest(field + " " + (host == null ? "" : host + " ") + refusal);
    }
  }

  static List<String> events(List<String> events) {
    if (events == null || events.isEmpty()) {
      throw ApiException.badRequest("events is required: at least one of " + String.join(", ", NotificationEvent.names()));
    }
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (String event : events) {
      if (event == null || NotificationEvent.of(event).isEmpty()) {
        throw ApiException.badRequest("unknown event " + event + ": use " + String.join(", ", NotificationEvent.names()));
      }
      unique.add(event);
    }
    return List.copyOf(unique);
  }

  static List<UUID> ids(List<String> ids, String field) {
    if (ids == null) {
      return List.of();
    }
    if (ids.size() > 1000) {
      throw ApiException.badRequest(field + " may name at most 1000");
    }
    LinkedHashSet<UUID> unique = new LinkedHashSet<>();
    for (String id : ids) {
      try {
        unique.add(UUID.fromString(id));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw ApiException.badRequest(field + " holds " + id + ", which is not an id");
      }
    }
    return List.copyOf(unique);
  }

  static String security(String security) {
    String value = security == null ? "starttls" : security;
    if (!SECURITY.contains(value)) {
      throw ApiException.badRequest("email.security must be one of " + String.join(", ", SECURITY));
    }
    return value;
  }

  static int port(Integer port, String security) {
    if (port == null) {
      return security.equals("tls") ? 465 : 587;
    }
    if (port < 1 || port > 65535) {
      throw ApiException.badRequest("email.port must be between 1 and 65535");
    }
    return port;
  }

  static String address(String address, String field) {
    if (address == null || address.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    try {
      InternetAddress parsed = new InternetAddress(address.strip(), true);
      return parsed.toString();
    } catch (AddressException e) {
      throw ApiException.badRequest(field + " is not an email address: " + address);
    }
  }

  static List<String> recipients(List<String> to) {
    if (to == null || to.isEmpty()) {
      throw ApiException.badRequest("email.to is required: at least one address");
    }
    if (to.size() > MAX_RECIPIENTS) {
      throw ApiException.badRequest("email.to may name at most " + MAX_RECIPIENTS + " addresses");
    }
    List<String> out = new ArrayList<>();
    for (String address : to) {
      out.add(address(address, "email.to"));
    }
    return out;
  }

  /** {@code https://hooks.slack.com/…}: enough to recognise the target, nothing of the credential in its path. */
  static String redacted(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      boolean more = (uri.getRawPath() != null && uri.getRawPath().length() > 1) || uri.getRawQuery() != null;
      return uri.getScheme() + "://" + uri.getHost() + port + (more ? "/…" : "/");
    } catch (URISyntaxException e) {
      return "…";
    }
  }
}
