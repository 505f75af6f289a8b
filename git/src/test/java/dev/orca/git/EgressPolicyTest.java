package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  @Test
  void shouldRefuseMetadataLinkLocalMulticastAndUnspecifiedAddressesAlways() throws Exception {
    EgressPolicy everything = EgressPolicy.of(true, "10.0.0.0/8, 169.254.0.0/16, fd00::/16");
    for (String address : new String[] {"169.254.169.254", "169.254.0.1", "100.100.100.200", "fd00:ec2::254",
        "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.192",
        "fe80::1", "ff02::1", "::", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
        "168.63.129.16", "fd00:ec2::23", "fd00:ec2::253", "64:ff9b:1::a9fe:a9fe", "::ffff:0:a9fe:a9fe"}) {
      assertThat(everything.refusal(ip(address))).as(address).endsWith("Orca never connects there");
    }
    assertThat(everything.refusal(ip("169.254.169.254")))
        .isEqualTo("is link-local, where cloud metadata services answer: Orca never connects there");
  }

  @Test
  void shouldRefuseLoopbackAndPrivateRangesUnlessAllowed() throws Exception {
    EgressPolicy strict = EgressPolicy.strict();
    for (String address : new String[] {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::7f00:1",
        "64:ff9b::7f00:1", "2002:7f00:1::1"}) {
      assertThat(strict.refusal(ip(address))).as(address).startsWith("is loopback");
    }
    for (String address : new String[] {"10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
        "198.18.0.1", "fc00::1", "fd12:3456::1", "::ffff:10.1.2.3", "2001:0:4136:e378::1"}) {
      assertThat(strict.refusal(ip(address))).as(address).endsWith("(allow it with ORCA_EGRESS_ALLOW)");
    }
    for (String address : new String[] {"8.8.8.8", "140.82.112.3", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
        "::ffff:140.82.112.3"}) {
      assertThat(strict.refusal(ip(address))).as(address).isNull();
    }

    EgressPolicy local = EgressPolicy.of(true, null);
    assertThat(local.refusal(ip("127.0.0.1"))).isNull();
    assertThat(local.refusal(ip("::1"))).isNull();
    assertThat(local.refusal(ip("10.0.0.5"))).isNotNull();
    assertThat(local.allowsLocalFiles()).isTrue();
    assertThat(strict.allowsLocalFiles()).isFalse();

    EgressPolicy allowing = EgressPolicy.of(false, "10.20.0.0/16 fd12:3456::/32,192.168.1.7");
    assertThat(allowing.refusal(ip("10.20.5.5"))).isNull();
    assertThat(allowing.refusal(ip("::ffff:10.20.5.5"))).isNull();
    assertThat(allowing.refusal(ip("10.21.0.1"))).isNotNull();
    assertThat(allowing.refusal(ip("fd12:3456::1"))).isNull();
    assertThat(allowing.refusal(ip("192.168.1.7"))).isNull();
    assertThat(allowing.refusal(ip("192.168.1.8"))).isNotNull();
    assertThat(allowing.refusal(ip("127.0.0.1"))).isNotNull();
    assertThat(EgressPolicy.of(false, "127.0.0.1").refusal(ip("127.0.0.1"))).isNull();
  }

  @Test
  void shouldRefuseAnAllowListItCannotRead() {
    assertThatThrownBy(() -> EgressPolicy.of(false, "0.0.0.0/0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wider than a /8");
    assertThatThrownBy(() -> EgressPolicy.of(false, "::/0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EgressPolicy.of(false, "git.internal")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ORCA_EGRESS_ALLOW: 'git.internal' is not an address or a CIDR range");
    assertThatThrownBy(() -> EgressPolicy.of(false, "10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EgressPolicy.of(false, "10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
    // An IPv6 range holding loopback or addresses that carry IPv4 ones would let those in.
    for (String range : new String[] {"::/16", "2002::/16", "64:ff9b::/96", "64:ff9b::/32", "::ffff:0:0:0/96"}) {
      assertThatThrownBy(() -> EgressPolicy.of(false, range)).as(range).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("would allow loopback");
    }
    assertThat(EgressPolicy.of(false, "::1").allowsLocalFiles()).isFalse();
  }

  /** The outside probe's list, as written in a URL: every spelling is judged as the address it is. */
  @Test
  void shouldJudgeHostsAsWrittenWithoutResolvingThem() {
    EgressPolicy strict = EgressPolicy.strict();
    for (String host : new String[] {"localhost", "localhost.", "LOCALHOST", "git.localhost", "127.0.0.1", "127.1",
        "2130706433", "0x7f000001", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]"}) {
      assertThat(strict.checkHost(host)).as(host).contains("is loopback");
    }
    assertThat(strict.checkHost("169.254.169.254")).contains("Orca never connects there");
    assertThat(strict.checkHost("0xa9fea9fe")).contains("Orca never connects there");
    assertThat(strict.checkHost("0")).contains("Orca never connects there");
    assertThat(strict.checkHost("10.0.0.1")).contains("private");
    assertThat(strict.checkHost("10.1")).contains("private");
    assertThat(strict.checkHost("0x7f.0x100.0.1")).isEqualTo("host 0x7f.0x100.0.1 looks like a number but is no address");
    assertThat(strict.checkHost("[fe80::1%25eth0]")).isNotNull();
    for (String host : new String[] {"github.com", "gitlab.example.org", "0a.example", "cafe.example", "a1.b2", "1a.de",
        "[2606:4700::1111]", "140.82.112.3"}) {
      assertThat(strict.checkHost(host)).as(host).isNull();
    }
    assertThat(EgressPolicy.of(true, null).checkHost("localhost.")).isNull();
    assertThat(EgressPolicy.of(true, null).checkHost("127.0.0.1")).isNull();
  }
}
