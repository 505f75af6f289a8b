package dev.orca.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orca.gateway.web.ApiException;
import org.junit.jupiter.api.Test;

class RepositoryRulesTest {

  private final RepositoryRules shared = new RepositoryRules(false);
  private final RepositoryRules local = new RepositoryRules(true);

  @Test
  void shouldAcceptRemoteHttpsSshAndScpLikeUrls() {
    assertThat(shared.url(" https://github.com/acme/stack.git ")).isEqualTo("https://github.com/acme/stack.git");
    assertThat(shared.url("ssh://git@gitlab.example.com:2222/acme/stack.git")).startsWith("ssh://");
    assertThat(shared.url("git@github.com:acme/stack.git")).isEqualTo("git@github.com:acme/stack.git");
  }

  @Test
  void shouldRefuseFileAndLoopbackUrlsUnlessLocalGitIsAllowed() {
    for (String url : new String[] {"file:///srv/git/stack", "http://localhost:8080/stack.git",
        "http://127.0.0.1/stack.git", "https://[::1]/stack.git", "git@localhost:stack.git"}) {
      assertThatThrownBy(() -> shared.url(url)).isInstanceOf(ApiException.class).hasMessageContaining("local mode");
      assertThat(local.url(url)).isEqualTo(url);
    }
  }

  /** The outside probe's list: no spelling of a refused address gets saved. */
  @Test
  void shouldRefuseMetadataPrivateAndLoopbackAddressesInAnySpelling() {
    for (String url : new String[] {"http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/x.git",
        "http://100.100.100.200/x.git", "http://0.0.0.0/x.git", "http://[::]/x.git", "http://224.0.0.1/x.git"}) {
      assertThatThrownBy(() -> shared.url(url)).as(url).isInstanceOf(ApiException.class)
          .hasMessageContaining("Orca never connects there");
      assertThatThrownBy(() -> local.url(url)).as(url).isInstanceOf(ApiException.class)
          .hasMessageContaining("Orca never connects there");
    }
    for (String url : new String[] {"http://10.0.0.5/x.git", "https://172.16.3.4/x.git", "https://192.168.1.10/x.git",
        "git@10.1.2.3:x.git", "ssh://git@[fc00::1]/x.git"}) {
      assertThatThrownBy(() -> shared.url(url)).as(url).isInstanceOf(ApiException.class)
          .hasMessageContaining("ORCA_EGRESS_ALLOW");
    }
    for (String url : new String[] {"http://0x7f000001/x.git", "http://2130706433/x.git",
        "http://[::ffff:127.0.0.1]/x.git", "http://localhost./x.git", "git@0x7f000001:x.git"}) {
      assertThatThrownBy(() -> shared.url(url)).as(url).isInstanceOf(ApiException.class)
          .hasMessageContaining("is loopback");
    }
    // java.net.URI reads no host in 127.1 (a name may not end in a digit-only label): refused as such.
    assertThatThrownBy(() -> shared.url("http://127.1/x.git")).isInstanceOf(ApiException.class);
    RepositoryRules allowing = new RepositoryRules(dev.orca.git.EgressPolicy.of(false, "10.0.0.0/8"));
    assertThat(allowing.url("http://10.0.0.5/x.git")).isEqualTo("http://10.0.0.5/x.git");
    assertThatThrownBy(() -> allowing.url("http://192.168.1.10/x.git")).isInstanceOf(ApiException.class);
  }

  @Test
  void shouldRefuseOtherSchemesAndPasswordsInUrls() {
    assertThatThrownBy(() -> shared.url("ftp://example.com/x")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> shared.url("example.com/x")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> shared.url("https://bob:secret@example.com/x.git"))
        .hasMessage("put credentials in token/username/password, not in the URL");
  }

  @Test
  void shouldRefuseATokenOrUserNameInAnHttpUrlButKeepTheUserOfSshUrls() {
    for (String url : new String[] {"https://ghp_0123456789abcdef@github.com/o/r.git", "http://bob@example.com/r.git",
        "https://x-access-token@github.com/o/r.git", "HTTPS://TOKEN@github.com/o/r.git"}) {
      assertThatThrownBy(() -> shared.url(url)).isInstanceOf(ApiException.class)
          .hasMessage("put credentials in token/username/password, not in the URL")
          .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(400));
    }
    assertThat(shared.url("git@github.com:org/repo.git")).isEqualTo("git@github.com:org/repo.git");
    assertThat(shared.url("ssh://git@github.com/org/repo.git")).isEqualTo("ssh://git@github.com/org/repo.git");
  }

  @Test
  void shouldEnforcePollingMinimumAndEnums() {
    assertThat(RepositoryRules.pollingInterval(null)).isEqualTo(60);
    assertThat(RepositoryRules.pollingInterval(30)).isEqualTo(30);
    assertThatThrownBy(() -> RepositoryRules.pollingInterval(29)).hasMessageContaining("at least 30");
    assertThat(RepositoryRules.oneOf("GitHub", RepositoryRules.PROVIDERS, "provider", "generic")).isEqualTo("github");
    assertThatThrownBy(() -> RepositoryRules.oneOf("svn", RepositoryRules.PROVIDERS, "provider", "generic"))
        .hasMessageContaining("provider must be one of");
  }
}
