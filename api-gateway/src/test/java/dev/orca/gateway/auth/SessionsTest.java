package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.system.OrcaProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseCookie;

class SessionsTest {

  private static OrcaProperties behind(String publicUrl) {
    return new OrcaProperties("localhost:9092", "orca.", 3, (short) 1, "postgresql://u:p@db/orca",
        "a-secret-of-at-least-thirty-two-characters", null, publicUrl, false, null, 300, new OrcaProperties.LocalAgent(false),
        new OrcaProperties.Health(null), new OrcaProperties.Session(Duration.ofHours(12), Duration.ofDays(7)),
        new OrcaProperties.Audit(Duration.ofDays(90)), new OrcaProperties.RateLimit(300, 10), new OrcaProperties.Auth(true));
  }

  @Test
  void shouldMarkTheSessionCookieSecureBehindAnHttpsPublicUrlOnly() {
    ResponseCookie https = new Sessions(null, behind("https://orca.example.com")).cleared();
    assertThat(https.isSecure()).isTrue();
    assertThat(https.isHttpOnly()).isTrue();
    assertThat(https.getSameSite()).isEqualTo("Strict");
    assertThat(https.getPath()).isEqualTo("/");
    assertThat(new Sessions(null, behind("http://localhost:8080")).cleared().isSecure()).isFalse();
    assertThat(new Sessions(null, behind(null)).cleared().isSecure()).isFalse();
  }
}
