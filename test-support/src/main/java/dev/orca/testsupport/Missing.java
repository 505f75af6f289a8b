package dev.orca.testsupport;

import org.junit.jupiter.api.Assumptions;

/** What a test does when a tool it needs is missing: skipped on a developer machine, failed under CI. */
final class Missing {

  private Missing() {}

  /** Fails under {@code CI=true} (where {@code tests} must run), otherwise reports the calling test skipped. */
  static void tool(String why, String tests) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(why + "; under CI " + tests + " must run");
    }
    Assumptions.abort(why);
  }
}
