package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class ClientAddressTest {

  private static MockServerHttpRequest from(String peer, String... forwardedFor) {
    var request = MockServerHttpRequest.get("/api/v1/auth/login").remoteAddress(new InetSocketAddress(peer, 40000));
    for (String value : forwardedFor) {
      request.header("X-Forwarded-For", value);
    }
    return request.build();
  }

  @Test
  void shouldBelieveForwardedForOnlyFromTrustedProxies() {
    ClientAddress none = new ClientAddress("");
    assertThat(none.of(from("10.0.0.2", "203.0.113.9"))).isEqualTo("10.0.0.2");

    ClientAddress proxied = new ClientAddress("10.0.0.0/24, fd00::1");
    assertThat(proxied.of(from("10.0.0.2", "203.0.113.9"))).isEqualTo("203.0.113.9");
    // A client's own X-Forwarded-For entries come first: the last untrusted hop is the client.
    assertThat(proxied.of(from("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.7"))).isEqualTo("203.0.113.9");
    assertThat(proxied.of(from("10.0.0.2", "1.1.1.1", "203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(proxied.of(from("10.0.0.2", "not-an-address"))).isEqualTo("10.0.0.2");
    assertThat(proxied.of(from("10.0.0.2"))).isEqualTo("10.0.0.2");
    // Not from a proxy: the header is the client's own word, ignored.
    assertThat(proxied.of(from("198.51.100.4", "203.0.113.9"))).isEqualTo("198.51.100.4");
    assertThatThrownBy(() -> new ClientAddress("proxy.internal")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClientAddress("10.0.0.0/40")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCountAnIpv6AddressByItsSlash64() {
    assertThat(ClientAddress.throttleKey("2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddress.throttleKey("2001:db8:1:2:bbbb::9")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddress.throttleKey("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.throttleKey(null)).isNull();
  }
}
