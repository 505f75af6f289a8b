package dev.orca.git;

import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.eclipse.jgit.transport.URIish;

/**
 * Refuses git remotes on this host ({@code file://}, plain paths, localhost and loopback
 * addresses) unless local git is allowed, so a repository URL cannot reach into the machine
 * sync-stream runs on. Host names are checked as written; nothing is resolved.
 */
final class RemotePolicy {

  private RemotePolicy() {}

  static void check(String url, boolean allowLocal) throws GitException {
    URIish uri;
    try {
      uri = new URIish(url);
    } catch (URISyntaxException e) {
      throw new GitException("invalid git URL " + url);
    }
    if (allowLocal) {
      return;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if ("file".equalsIgnoreCase(scheme) || host == null || host.isBlank()) {
      throw new GitException("local repository URL " + url
          + " is refused (ORCA_ALLOW_LOCAL_GIT is not enabled)");
    }
    if (isLoopback(host)) {
      throw new GitException("loopback repository URL " + url
          + " is refused (ORCA_ALLOW_LOCAL_GIT is not enabled)");
    }
  }

  static boolean isLoopback(String rawHost) {
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    if (host.matches("[0-9.]+")) {
      // Short numeric forms (127.1, 2130706433) also reach loopback on many resolvers.
      return host.startsWith("127.") || host.startsWith("0.") || host.equals("0") || host.split("\\.").length < 4;
    }
    if (host.contains(":")) {
      try {
        InetAddress address = InetAddress.getByName(host); // an IPv6 literal: parsed, never looked up
        return address.isLoopbackAddress() || address.isAnyLocalAddress();
      } catch (UnknownHostException e) {
        return true;
      }
    }
    return false;
  }
}
