package dev.orca.git;

import java.time.Duration;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * HTTP clients for whatever else Orca itself connects to (an OpenID provider, later notification
 * targets): the same guard as git remotes' ({@link GuardedHttp}): the address every connection
 * opens is checked against the {@link EgressPolicy}, after every resolution, and no redirect is
 * followed.
 */
public final class EgressHttpClients {

  private EgressHttpClients() {}

  public static CloseableHttpClient create(EgressPolicy policy, Duration timeout) {
    return GuardedHttp.client(policy, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /** The policy's words when {@code failure} (or a cause) is a refusal of it, else null. */
  public static String refusal(Throwable failure) {
    return GuardedHttp.refusal(failure);
  }
}
