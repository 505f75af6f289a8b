package dev.orca.git;

import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import org.eclipse.jgit.transport.URIish;

/**
 * Refuses git remotes on this host ({@code file://}, plain paths, localhost and loopback
 * addresses) unless local git is allowed, so a repository URL cannot reach into the machine
 * sync-stream runs on. The same check for every scheme, the scp-like {@code user@host:path}
 * included. Host names are checked as written; nothing is resolved, so a DNS name that points at
 * loopback is not caught.
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
    Long ipv4 = inetAton(host);
    if (ipv4 != null) {
      // The C resolver reads short, octal and hex forms too (127.1, 0177.0.0.1, 0x7f000001, 2130706433).
      long first = ipv4 >>> 24;
      return first == 127 || first == 0;
    }
    if (!host.isEmpty() && Arrays.stream(host.split("\\.", -1)).allMatch(part -> part.matches("[0-9][0-9a-fx]*"))) {
      return true; // numbers, yet no valid address: refused rather than guessing how a resolver reads it
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

  /** An IPv4 address written as inet_aton(3) reads it (1 to 4 parts, decimal, octal or hex), or null. */
  static Long inetAton(String host) {
    if (!host.matches("[0-9a-fx.]+") || host.endsWith(".")) {
      return null;
    }
    String[] parts = host.split("\\.");
    if (parts.length > 4) {
      return null;
    }
    long address = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      long value;
      try {
        if (part.startsWith("0x")) {
          value = part.length() == 2 ? 0 : Long.parseLong(part.substring(2), 16);
        } else if (part.length() > 1 && part.startsWith("0")) {
          value = Long.parseLong(part.substring(1), 8);
        } else {
          value = Long.parseLong(part, 10);
        }
      } catch (NumberFormatException e) {
        return null;
      }
      boolean last = i == parts.length - 1;
      int bits = last ? 8 * (4 - i) : 8;
      if (value >= (1L << bits)) {
        return null;
      }
      address = last ? (address << bits) | value : (address << 8) | value;
    }
    return address;
  }
}
