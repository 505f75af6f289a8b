package dev.orca.git;

import java.io.IOException;

/**
 * A connection {@link EgressPolicy} refused. An {@link IOException}, so it can end a connect
 * inside a socket factory; its message says which address and why, never a credential.
 */
public final class EgressRefusedException extends IOException {

  private static final long serialVersionUID = 1L;

  public EgressRefusedException(String message) {
    super(message);
  }
}
