package dev.orca.gateway.webhook;

import java.util.List;

/** What one authenticated webhook delivery asks for. */
sealed interface Delivery {

  /**
   * A push of one or more branches. {@code branch} null means every branch in use and
   * {@code commit} null the branch's latest commit (a generic webhook may name neither).
   */
  record Push(List<Head> heads) implements Delivery {}

  /** A branch and the SHA pushed to it. */
  record Head(String branch, String commit) {}

  /** Nothing to deploy (a ping, another event, a deleted branch, tags only), and why. */
  record Ignored(String reason) implements Delivery {}
}
