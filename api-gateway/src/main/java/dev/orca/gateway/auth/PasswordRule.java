package dev.orca.gateway.auth;

import dev.orca.gateway.web.ApiException;

/** The strong-password rule: at least 12 characters and 3 of lower, upper, digit, symbol. */
final class PasswordRule {

  static final int MIN_LENGTH = 12;
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

  static void check(String password) {
    if (!isStrong(password)) {
      throw ApiException.badRequest(MESSAGE);
    }
  }
}
