package dev.orca.git;

import java.util.regex.Pattern;

/**
 * Hides the user-info of every URL in a text ({@code https://TOKEN@host/repo.git} becomes
 * {@code https://***@host/repo.git}), because tokens embedded in repository URLs must not reach
 * lastSyncError, which the API returns, nor the logs.
 */
public final class UrlRedaction {

  // The user-info runs from "scheme://" to the last '@' before the path, a space or a quote.
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s'\"<>]*@");

  private UrlRedaction() {}

  public static String redact(String text) {
    return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
  }
}
