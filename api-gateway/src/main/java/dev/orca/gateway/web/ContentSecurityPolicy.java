package dev.orca.gateway.web;

/**
 * The Content-Security-Policy of every answer: this origin only, no inline script, no framing.
 * The dashboard's page adds a per-answer style nonce, which the styles its component library and
 * code view generate at run time carry; nothing else may add styles or scripts.
 */
public final class ContentSecurityPolicy {

  private static final String START = "default-src 'self'; script-src 'self'; style-src 'self'";
  private static final String REST = "; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
      + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

  /** The policy of every answer but the dashboard's page. */
  public static final String DEFAULT = START + REST;

  private ContentSecurityPolicy() {}

  /** The policy of a dashboard page whose generated styles carry this nonce (base64). */
  public static String withStyleNonce(String nonce) {
    if (!nonce.matches("[A-Za-z0-9+/_=-]+")) {
      throw new IllegalArgumentException("a nonce is base64");
    }
    return START + " 'nonce-" + nonce + "'" + REST;
  }
}
