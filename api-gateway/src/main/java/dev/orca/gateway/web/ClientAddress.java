package dev.orca.gateway.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Who is asking, for sign-in throttling and the audit log: the connection's peer, or, when the
 * peer is one of the reverse proxies listed in {@code orca.http.trusted-proxies}
 * ({@code ORCA_HTTP_TRUSTED_PROXIES}: addresses and CIDR ranges), the last address of
 * {@code X-Forwarded-For} that is not one of them. Without the setting the header is ignored, so
 * nobody can pick the address they are counted under.
 */
@Component
public class ClientAddress {

  private final List<byte[][]> trusted = new ArrayList<>();

  public ClientAddress(@Value("${orca.http.trusted-proxies:}") String trustedProxies) {
    for (String entry : trustedProxies.split("[,\\s]+")) {
      if (!entry.isBlank()) {
        trusted.add(range(entry.trim()));
      }
    }
  }

  /** The client's address as text, or null when the connection has none. */
  public String of(ServerHttpRequest request) {
    if (request.getRemoteAddress() == null || request.getRemoteAddress().getAddress() == null) {
      return null;
    }
    InetAddress peer = request.getRemoteAddress().getAddress();
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return peer.getHostAddress();
    }
    List<String> forwarded = request.getHeaders().getOrEmpty("X-Forwarded-For");
    List<String> hops = new ArrayList<>();
    forwarded.forEach(value -> {
      for (String hop : value.split(",")) {
        hops.add(hop.trim());
      }
    });
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        break; // not an address: the chain cannot be trusted past it
      }
      if (!isTrusted(hop)) {
        return hop.getHostAddress();
      }
    }
    return peer.getHostAddress();
  }

  /** The key an address is counted under: an IPv6 address by its /64, which one host usually holds whole. */
  public static String throttleKey(String address) {
    InetAddress parsed = address == null ? null : literal(address);
    if (parsed == null || parsed.getAddress().length == 4) {
      return address;
    }
    byte[] bytes = parsed.getAddress();
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      prefix.append(String.format("%x:", ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
    }
    return prefix + ":/64";
  }

  private boolean isTrusted(InetAddress address) {
    byte[] candidate = address.getAddress();
    for (byte[][] range : trusted) {
      if (contains(range, candidate)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(byte[][] range, byte[] candidate) {
    byte[] network = range[0];
    int prefix = range[1][0] & 0xff;
    if (candidate.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static byte[][] range(String entry) {
    int slash = entry.indexOf('/');
    InetAddress address = literal(slash < 0 ? entry : entry.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("orca.http.trusted-proxies: '" + entry + "' is not an address or a CIDR range");
    }
    int bits = address.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(entry.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("orca.http.trusted-proxies: '" + entry + "' has no valid prefix length");
    }
    return new byte[][] {address.getAddress(), {(byte) prefix}};
  }

  /** An IP address literal, never a name to look up; null otherwise. */
  static InetAddress literal(String text) {
    String value = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!value.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      return null;
    }
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
