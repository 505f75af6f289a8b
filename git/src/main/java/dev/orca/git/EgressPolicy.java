package dev.orca.git;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where Orca itself may connect (git remotes, later notification targets): the guard against
 * server-side request forgery. Link-local (where cloud metadata services answer), known metadata
 * addresses, multicast, broadcast, unspecified and reserved addresses are refused always; loopback
 * only in local mode or when allowed; private ranges (RFC 1918, carrier-grade NAT, unique local
 * IPv6) only when allowed. An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64,
 * 6to4) is judged by the IPv4 address it carries.
 *
 * <p>The check that counts is {@link #check(InetAddress, String)} on the address a socket is about
 * to connect to, after every resolution, so a name that resolves to a public address when a URL is
 * saved and to a private one later (DNS rebinding) does not get through. {@link #checkHost} is the
 * early, resolution-free check of a URL's host as written, for a clear answer when it is saved.
 */
public final class EgressPolicy {

  /** Environment variable (and, as {@code orca.egress-allow}, property) with the allowed ranges. */
  public static final String ALLOW_VARIABLE = "ORCA_EGRESS_ALLOW";

  private static final String HINT = " (allow it with " + ALLOW_VARIABLE + ")";

  private final boolean localMode;
  private final List<Range> allowed;
  private final Resolver resolver;

  /** How names become addresses: the system's resolver; a seam for tests that play a rebinding DNS server. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private EgressPolicy(boolean localMode, List<Range> allowed, Resolver resolver) {
    this.localMode = localMode;
    this.allowed = List.copyOf(allowed);
    this.resolver = resolver;
  }

  /** This policy, resolving names with {@code other} (tests). */
  EgressPolicy resolvingWith(Resolver other) {
    return new EgressPolicy(localMode, allowed, other);
  }

  Resolver resolver() {
    return resolver;
  }

  /** Public addresses only. */
  public static EgressPolicy strict() {
    return new EgressPolicy(false, List.of(), InetAddress::getAllByName);
  }

  /**
   * {@code localMode} allows loopback addresses and {@code file://} remotes (ORCA_ALLOW_LOCAL_GIT);
   * {@code allowList} holds comma- or space-separated addresses and CIDR ranges that may be reached
   * although private or loopback, such as {@code 10.20.0.0/16, fd12:3456::/32}.
   *
   * @throws IllegalArgumentException for an entry that is not an address or a range, or a range
   *     that would allow addresses refused always
   */
  public static EgressPolicy of(boolean localMode, String allowList) {
    List<Range> ranges = new ArrayList<>();
    if (allowList != null) {
      for (String entry : allowList.split("[,\\s]+")) {
        if (!entry.isBlank()) {
          ranges.add(Range.parse(entry.trim()));
        }
      }
    }
    return new EgressPolicy(localMode, ranges, InetAddress::getAllByName);
  }

  /** Whether {@code file://} and path remotes are allowed (local mode). */
  public boolean allowsLocalFiles() {
    return localMode;
  }

  /** What an address is, for the policy. */
  enum Kind {
    PUBLIC, LOOPBACK, PRIVATE, NEVER
  }

  record Verdict(Kind kind, String what) {}

  /** Throws when {@code address} (which {@code host} resolved to, for the message) may not be reached. */
  public void check(InetAddress address, String host) throws EgressRefusedException {
    String refusal = refusal(address);
    if (refusal != null) {
      String name = host == null || host.equals(address.getHostAddress()) ? "" : " (" + host + ")";
      throw new EgressRefusedException("address " + address.getHostAddress() + name + " " + refusal);
    }
  }

  /** Why {@code address} may not be reached, or null when it may. */
  public String refusal(InetAddress address) {
    Verdict verdict = classify(address);
    return switch (verdict.kind()) {
      case PUBLIC -> null;
      case NEVER -> "is " + verdict.what() + ": Orca never connects there";
      case LOOPBACK -> localMode || isAllowed(address) ? null
          : "is " + verdict.what() + ": allowed only in local mode (ORCA_ALLOW_LOCAL_GIT) or with " + ALLOW_VARIABLE;
      case PRIVATE -> isAllowed(address) ? null : "is " + verdict.what() + HINT;
    };
  }

  /**
   * The early check of a URL's host as written, without resolving it: an address in any spelling
   * a resolver accepts (127.1, 0x7f000001, 2130706433, [::ffff:127.0.0.1]) is judged as the
   * address it is, {@code localhost} names as loopback. Returns why it is refused, or null.
   */
  public String checkHost(String rawHost) {
    if (rawHost == null || rawHost.isBlank()) {
      return "names no host";
    }
    String host = rawHost.toLowerCase(Locale.ROOT).trim();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String name = host;
    while (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      return localMode ? null : "host " + rawHost + " is loopback: allowed only in local mode (ORCA_ALLOW_LOCAL_GIT)";
    }
    InetAddress literal = literal(host);
    if (literal != null) {
      String refusal = refusal(literal);
      return refusal == null ? null : "host " + rawHost + " " + refusal;
    }
    if (!name.isEmpty() && Arrays.stream(name.split("\\.", -1)).allMatch(part -> part.matches("[0-9][0-9a-fx]*"))) {
      return "host " + rawHost + " looks like a number but is no address";
    }
    if (host.contains(":")) {
      return "host " + rawHost + " is not a valid address";
    }
    return null;
  }

  /** An address written in {@code host} as a resolver would read it, or null for a name. */
  static InetAddress literal(String host) {
    Long ipv4 = inetAton(host);
    try {
      if (ipv4 != null) {
        long v = ipv4;
        return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
      }
      if (host.contains(":") && host.matches("[0-9a-f:.%a-z]+")) {
        return InetAddress.getByName(host); // an IPv6 literal: parsed, never looked up
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }

  private boolean isAllowed(InetAddress address) {
    byte[] bytes = address.getAddress();
    byte[] embedded = embeddedIpv4(address);
    for (Range range : allowed) {
      if (range.contains(bytes) || embedded != null && range.contains(embedded)) {
        return true;
      }
    }
    return false;
  }

  static Verdict classify(InetAddress address) {
    if (address instanceof Inet4Address) {
      return classify4(address.getAddress());
    }
    byte[] b = address.getAddress();
    byte[] embedded = embeddedIpv4(address);
    if (embedded != null) {
      Verdict inner = classify4(embedded);
      return inner.kind() == Kind.PUBLIC ? inner : new Verdict(inner.kind(), inner.what() + " (inside an IPv6 address)");
    }
    if (address.isAnyLocalAddress()) {
      return new Verdict(Kind.NEVER, "the unspecified address");
    }
    if (address.isLoopbackAddress()) {
      return new Verdict(Kind.LOOPBACK, "loopback");
    }
    if (address.isLinkLocalAddress()) {
      return new Verdict(Kind.NEVER, "link-local");
    }
    if (address.isMulticastAddress()) {
      return new Verdict(Kind.NEVER, "multicast");
    }
    // fd00:ec2::/32: the EC2 instance metadata service (::254), DNS (::253), EKS pod identity (::23)
    if ((b[0] & 0xff) == 0xfd && b[1] == 0 && b[2] == 0x0e && (b[3] & 0xff) == 0xc2) {
      return new Verdict(Kind.NEVER, "a cloud metadata address");
    }
    if ((b[0] & 0xfe) == 0xfc) {
      return new Verdict(Kind.PRIVATE, "a unique local (private) address");
    }
    if (address.isSiteLocalAddress()) {
      return new Verdict(Kind.PRIVATE, "a site-local (private) address");
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      return new Verdict(Kind.PRIVATE, "a Teredo tunnel address");
    }
    if ((b[0] & 0xff) == 0x01 && b[1] == 0 && isZero(b, 2, 8)) {
      return new Verdict(Kind.NEVER, "a discard-only address");
    }
    return new Verdict(Kind.PUBLIC, "public");
  }

  private static Verdict classify4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    int a3 = b[3] & 0xff;
    if (a0 == 0) {
      return new Verdict(Kind.NEVER, "unspecified (0.0.0.0/8)");
    }
    if (a0 == 127) {
      return new Verdict(Kind.LOOPBACK, "loopback");
    }
    if (a0 == 169 && a1 == 254) {
      return new Verdict(Kind.NEVER, "link-local, where cloud metadata services answer");
    }
    // Alibaba Cloud's metadata service; Azure's WireServer (platform agent and metadata)
    if (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200 || a0 == 168 && a1 == 63 && a2 == 129 && a3 == 16) {
      return new Verdict(Kind.NEVER, "a cloud metadata address");
    }
    if (a0 >= 224) {
      return new Verdict(Kind.NEVER, a0 < 240 ? "multicast" : "reserved or broadcast");
    }
    if (a0 == 192 && a1 == 0 && a2 == 0) {
      return new Verdict(Kind.NEVER, "reserved for protocol assignments (192.0.0.0/24)");
    }
    if (a0 == 10 || a0 == 172 && (a1 & 0xf0) == 16 || a0 == 192 && a1 == 168) {
      return new Verdict(Kind.PRIVATE, "private (RFC 1918)");
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return new Verdict(Kind.PRIVATE, "carrier-grade NAT (private)");
    }
    if (a0 == 198 && (a1 & 0xfe) == 18) {
      return new Verdict(Kind.PRIVATE, "a benchmarking range (private)");
    }
    return new Verdict(Kind.PUBLIC, "public");
  }

  /**
   * The IPv4 address an IPv6 one carries (mapped, SIIT-translated, compatible, NAT64 in 64:ff9b::/96
   * and the local 64:ff9b:1::/48, 6to4), or null. Other NAT64 prefixes a network may choose
   * cannot be known here: allow no range that holds one.
   */
  static byte[] embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return null;
    }
    byte[] b = address.getAddress();
    boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean translated = isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12);
    boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 16) && !(isZero(b, 12, 15) && b[15] == 1);
    boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
        && (isZero(b, 4, 12) || b[4] == 0 && b[5] == 1);
    if (mapped || translated || compatible || nat64) {
      return Arrays.copyOfRange(b, 12, 16);
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return Arrays.copyOfRange(b, 2, 6);
    }
    return null;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * An IPv4 address written as inet_aton(3) reads it (1 to 4 parts, decimal, octal or hex), or
   * null: 127.1, 0177.0.0.1, 0x7f000001 and 2130706433 are all 127.0.0.1 to the C resolver.
   */
  static Long inetAton(String host) {
    if (!host.matches("[0-9a-fx.]+") || host.endsWith(".") || host.isEmpty()) {
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

  @Override
  public String toString() {
    return "EgressPolicy[localMode=" + localMode + ", allowed=" + allowed + "]";
  }

  /** An address range from the allow-list. */
  private record Range(byte[] network, int prefix, String text) {

    static Range parse(String entry) {
      int slash = entry.indexOf('/');
      String addressText = slash < 0 ? entry : entry.substring(0, slash);
      if (addressText.startsWith("[") && addressText.endsWith("]")) {
        addressText = addressText.substring(1, addressText.length() - 1);
      }
      InetAddress address = literal(addressText.toLowerCase(Locale.ROOT));
      if (address == null || !addressText.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + entry + "' is not an address or a CIDR range");
      }
      byte[] bytes = address.getAddress();
      int prefix;
      try {
        prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + entry + "' has no valid prefix length");
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + entry + "' has no valid prefix length");
      }
      if (prefix < (bytes.length == 4 ? 8 : 16)) {
        throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + entry + "' is wider than a /"
            + (bytes.length == 4 ? 8 : 16) + "; name the ranges your servers are in");
      }
      Range range = new Range(bytes, prefix, entry);
      if (bytes.length == 16 && !(prefix == 128 && Arrays.equals(bytes, LOOPBACK6))) {
        for (byte[] carrier : CARRIERS) {
          if (range.contains(carrier)) {
            throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + entry + "' would allow loopback or addresses"
                + " that carry IPv4 ones (::1, ::ffff:0:0/96, 64:ff9b::/96, 2002::/16): name your servers' ranges");
          }
        }
      }
      return range;
    }

    private static final byte[] LOOPBACK6 = ipv6("::1");
    /** Addresses an IPv6 range must not hold: loopback, and one of each form that carries an IPv4 address. */
    private static final byte[][] CARRIERS = {LOOPBACK6, ipv6("::7f00:1"), ipv6("::ffff:0:7f00:1"),
        ipv6("64:ff9b::7f00:1"), ipv6("64:ff9b:1::7f00:1"), ipv6("2002:7f00:1::1")};

    private static byte[] ipv6(String literal) {
      try {
        return Inet6Address.getByName(literal).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }

    boolean contains(byte[] candidate) {
      if (candidate.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (candidate[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (candidate[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
