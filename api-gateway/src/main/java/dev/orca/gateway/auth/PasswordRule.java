package dev.orca.gateway.auth;

import dev.orca.gateway.web.ApiException;

/**
 * The strong-password rule: at least 12 characters and 3 of lower, upper, digit, symbol; at most
 * 256 characters, so a password never costs more to hash than a person's would.
 */
final class PasswordRule {

  static final int MIN_LENGTH = 12;
  static final int MAX_LENGTH = 256;
  static final String TOO_LONG = "password must be at most " + MAX_LENGTH + " characters";
  static final String MESSAGE = "password must be at least " + MIN_LENGTH
      + " characters and contain at least 3 of: lowercase letter, uppercase letter, digit, symbol";

  private PasswordRule() {}

  static boolean isStrong(String password) {
    if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
      return false;
    }
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean symbol = false;
    for (int cp : password.codePoints().toArray()) {
      if (Character.isLowerCase(cp)) {
        lower = true;
      } else if (Character.isUpperCase(cp)) {
        upper = true;
      } else if (Character.isDigit(cp)) {
        digit = true;
      } else if (!Character.isWhitespace(cp)) {
        symbol = true;
      }
    }
    int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
    return classes >= 3;
  }

  /** Refuses a password no one could have set, before any hashing. */
  static void checkLength(String password) {
    if (password != null && password.length() > 2 * MAX_LENGTH
        || password != null && password.codePointCount(0, password.length()) > MAX_LENGTH) {
      throw ApiException.badRequest(TOO_LONG);
    }
  }

  static void check(String password) {
    checkLength(password);
    if (!isStrong(password)) {
      throw ApiException.badRequest(MESSAGE);
    }
  }
}
