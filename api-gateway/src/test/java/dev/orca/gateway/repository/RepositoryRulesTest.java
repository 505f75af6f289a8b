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
