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
        .hasMessageContaining("must not contain a password");
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
