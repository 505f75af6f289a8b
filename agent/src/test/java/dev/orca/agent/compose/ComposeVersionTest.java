package dev.orca.agent.compose;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code version --short} prints, v1 and v2, into one form. */
class ComposeVersionTest {

  @Test
  void shouldReadTheVersionThatV1Prints() {
    assertThat(ComposeVersion.parse("1.29.2\n")).hasValue("1.29.2");
  }

  @Test
  void shouldReadTheVersionThatV2PrintsWithOrWithoutItsLeadingV() {
    assertThat(ComposeVersion.parse("2.27.0\n")).hasValue("2.27.0");
    assertThat(ComposeVersion.parse("v2.27.0\n")).hasValue("2.27.0");
  }

  @Test
  void shouldKeepAPreReleaseOrBuildSuffix() {
    assertThat(ComposeVersion.parse("v2.29.1-desktop.1")).hasValue("2.29.1-desktop.1");
    assertThat(ComposeVersion.parse("2.30.0-rc.2+build.7")).hasValue("2.30.0-rc.2+build.7");
  }

  @Test
  void shouldFindTheVersionAfterWarningsOnTheSameOutput() {
    String output = """
        /usr/lib/python3/dist-packages/paramiko/transport.py:236: CryptographyDeprecationWarning: Blowfish has been deprecated
          "class": algorithms.Blowfish,
        1.29.2
        """;

    assertThat(ComposeVersion.parse(output)).hasValue("1.29.2");
  }

  @Test
  void shouldTellNothingWhenTheOutputHoldsNoVersion() {
    assertThat(ComposeVersion.parse("unknown flag: --short")).isEmpty();
    assertThat(ComposeVersion.parse("docker-compose version 1.29.2, build unknown")).isEmpty();
    assertThat(ComposeVersion.parse("")).isEmpty();
    assertThat(ComposeVersion.parse(null)).isEmpty();
  }
}
