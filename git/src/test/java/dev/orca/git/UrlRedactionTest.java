package dev.orca.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlRedactionTest {

  @Test
  void shouldHideTheUserInfoOfEveryUrl() {
    assertThat(UrlRedaction.redact("cannot fetch https://ghp_token@github.com/acme/app.git: not authorized"
        + " (https://user:p@ss@git.example:8443/x.git)"))
        .isEqualTo("cannot fetch https://***@github.com/acme/app.git: not authorized"
            + " (https://***@git.example:8443/x.git)");
    assertThat(UrlRedaction.redact("fetching ssh://git@host/repo timed out"))
        .isEqualTo("fetching ssh://***@host/repo timed out");
    assertThat(UrlRedaction.redact("cannot fetch https://token@host: refused"))
        .isEqualTo("cannot fetch https://***@host: refused");
  }

  @Test
  void shouldLeaveUrlsWithoutUserInfoAlone() {
    String text = "cannot fetch https://github.com/acme/app@v1.git: see mail@example.com";
    assertThat(UrlRedaction.redact(text)).isEqualTo(text);
    assertThat(UrlRedaction.redact(null)).isNull();
  }
}
