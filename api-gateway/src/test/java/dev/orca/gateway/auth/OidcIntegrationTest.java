package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayApplication;
import dev.orca.gateway.GatewayTestSupport;
import dev.orca.testsupport.OidcProvider;
import dev.orca.testsupport.SharedPostgres;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * OIDC sign-in against a real OpenID provider (Spring Authorization Server, in a process of its
 * own): the code flow with PKCE end to end, accounts linked by verified email or created where the
 * provider restricts who may sign in, admin groups, and the refusals: a forged or replayed state,
 * another browser's sign-in, an ID token for another audience, an expired one, a wrong nonce, an
 * unverified email, a domain not allowed. Local sign-in is switched off in this gateway.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OidcIntegrationTest {

  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final String PUBLIC_URL = "http://orca.example.test";
  private static final String CALLBACK = PUBLIC_URL + "/api/v1/auth/oidc/callback";
  private static final String SECRET = "provider-client-s3cret-" + UUID.randomUUID();
  private static final String ADMIN_TOKEN = "orca_oidc-admin-" + UUID.randomUUID();
  private static OidcProvider provider;
  private static String providerId;

  @DynamicPropertySource
  static void gateway(DynamicPropertyRegistry registry) {
    GatewayTestSupport.properties(registry, DATABASE, "oidc" + UUID.randomUUID().toString().substring(0, 8) + ".");
    registry.add("orca.public-url", () -> PUBLIC_URL);
    registry.add("orca.egress-allow", () -> "127.0.0.0/8");
    registry.add("orca.auth.local-login", () -> "false");
  }

  @BeforeAll
  static void startProvider() {
    provider = OidcProvider.start(List.of(new OidcProvider.Client("orca", SECRET, CALLBACK)), List.of(
        new OidcProvider.Person("alice", "Alice-Pass-1", "alice@example.com"),
        new OidcProvider.Person("carol", "Carol-Pass-1", "carol@example.com", true, List.of("orca-admins"), ""),
        new OidcProvider.Person("dave", "Dave-Pass-1", "dave@other.org", true, List.of(), ""),
        new OidcProvider.Person("erin", "Erin-Pass-1", "erin@example.com", false, List.of(), ""),
        new OidcProvider.Person("frank", "Frank-Pass-1", "frank@example.com"),
        new OidcProvider.Person("gina", "Gina-Pass-1", "alice@example.com", false, List.of(), ""),
        new OidcProvider.Person("hank", "Hank-Pass-1", "hank@example.com", true, List.of("developers"), ""),
        new OidcProvider.Person("mallory", "Mallory-Pass-1", "alice@example.com", true, List.of(), "wrong-audience"),
        new OidcProvider.Person("oscar", "Oscar-Pass-1", "alice@example.com", true, List.of(), "expired"),
        new OidcProvider.Person("nina", "Nina-Pass-1", "alice@example.com", true, List.of(), "wrong-nonce")));
  }

  @AfterAll
  static void stopProvider() {
    if (provider != null) {
      provider.close();
    }
  }

  @LocalServerPort
  int port;

  private WebTestClient client() {
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(GatewayTestSupport.DEADLINE)
        .build();
  }

  private WebTestClient admin() {
    return client().mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_TOKEN).build();
  }

  /** A started sign-in: where the browser is sent, and the cookie that binds it to this browser. */
  record Started(URI location, String browserCookie) {}

  private Started start(String next) {
    EntityExchangeResult<byte[]> answer = client().get()
        .uri("/api/v1/auth/oidc/" + providerId + "/start" + (next == null ? "" : "?next=" + next))
        .exchange().expectStatus().isFound().expectBody().returnResult();
    URI location = answer.getResponseHeaders().getLocation();
    assertThat(location.toString()).startsWith(provider.issuer() + "/oauth2/authorize?");
    String cookie = answer.getResponseCookies().getFirst(OidcLoginController.BROWSER_COOKIE).getValue();
    return new Started(location, cookie);
  }

  /** The gateway's answer to the provider's redirect back, as the browser would follow it. */
  private EntityExchangeResult<byte[]> callback(URI back, String browserCookie) {
    assertThat(back.toString()).startsWith(CALLBACK + "?");
    var request = client().get().uri("/api/v1/auth/oidc/callback?" + back.getRawQuery());
    if (browserCookie != null) {
      request = request.cookie(OidcLoginController.BROWSER_COOKIE, browserCookie);
    }
    return request.exchange().expectStatus().isFound().expectBody().returnResult();
  }

  private static String error(EntityExchangeResult<byte[]> answer) {
    String location = answer.getResponseHeaders().getLocation().toString();
    assertThat(location).startsWith("/login?error=");
    return URLDecoder.decode(location.substring("/login?error=".length()), StandardCharsets.UTF_8);
  }

  private String signIn(String person, String password) {
    Started started = start(null);
    EntityExchangeResult<byte[]> answer = callback(provider.signIn(started.location(), person, password),
        started.browserCookie());
    var session = answer.getResponseCookies().getFirst("orca_session");
    assertThat(session).as("signed in: %s", answer.getResponseHeaders().getLocation()).isNotNull();
    return session.getValue();
  }

  @Test
  @Order(1)
  void shouldLetAnAdminAddAProviderWhoseIssuerAnswers() {
    GatewayTestSupport.query(DATABASE, "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)"
        + " VALUES (?, 'alice@example.com', 'Alice', '!local', 'admin', now(), now()) RETURNING id", UUID.randomUUID());
    GatewayTestSupport.query(DATABASE, "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)"
        + " SELECT ?, id, 'tests', ?, now() FROM users WHERE email = 'alice@example.com' RETURNING id",
        UUID.randomUUID(), Secrets.sha256(ADMIN_TOKEN));

    admin().post().uri("/api/v1/admin/oidc-providers").bodyValue(Map.of("name", "Nowhere", "issuer",
            "http://127.0.0.1:1", "clientId", "orca", "clientSecret", "x"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("issuer: cannot read"));
    admin().post().uri("/api/v1/admin/oidc-providers").bodyValue(Map.of("name", "Metadata", "issuer",
            "http://169.254.169.254", "clientId", "orca", "clientSecret", "x"))
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).contains("Orca never connects there"));

    admin().post().uri("/api/v1/admin/oidc-providers").bodyValue(Map.of("name", "Test IdP", "issuer",
            provider.issuer(), "clientId", "orca", "clientSecret", SECRET))
        .exchange().expectStatus().isCreated()
        .expectBody()
        .jsonPath("$.hasClientSecret").isEqualTo(true)
        .jsonPath("$.redirectUri").isEqualTo(CALLBACK)
        .jsonPath("$.scopes").isEqualTo("openid email profile");
    List<?> all = admin().get().uri("/api/v1/admin/oidc-providers").exchange().expectStatus().isOk()
        .expectBodyList(Map.class).returnResult().getResponseBody();
    providerId = (String) ((Map<?, ?>) all.get(0)).get("id");
    String text = admin().get().uri("/api/v1/admin/oidc-providers/" + providerId).exchange()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(text).doesNotContain(SECRET);
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT client_secret_encrypted FROM oidc_providers").toString())
        .doesNotContain(SECRET);

    client().get().uri("/api/v1/auth/oidc/providers").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[0].name").isEqualTo("Test IdP").jsonPath("$[0].id").isEqualTo(providerId)
        .jsonPath("$[0].issuer").doesNotExist();
    client().get().uri("/api/v1/auth/setup").exchange().expectBody().jsonPath("$.localLogin").isEqualTo(false);
    client().post().uri("/api/v1/auth/login").bodyValue(Map.of("email", "alice@example.com", "password", "whatever-it-is"))
        .exchange().expectStatus().isForbidden();
  }

  @Test
  @Order(2)
  void shouldSignInWithTheCodeFlowAndLinkTheAccountByVerifiedEmail() {
    Started started = start("/repositories");
    String query = started.location().getRawQuery();
    assertThat(query).contains("code_challenge_method=S256", "code_challenge=", "nonce=", "state=", "client_id=orca",
        "redirect_uri=" + java.net.URLEncoder.encode(CALLBACK, StandardCharsets.UTF_8));
    URI back = provider.signIn(started.location(), "alice", "Alice-Pass-1");
    EntityExchangeResult<byte[]> answer = callback(back, started.browserCookie());
    assertThat(answer.getResponseHeaders().getLocation()).hasToString("/repositories");
    var session = answer.getResponseCookies().getFirst("orca_session");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    client().get().uri("/api/v1/auth/profile").cookie("orca_session", session.getValue()).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.email").isEqualTo("alice@example.com")
        .jsonPath("$.role").isEqualTo("admin");
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT subject FROM user_identities")).hasSize(1);

    // The same answer again: a state is good once.
    assertThat(error(callback(back, started.browserCookie()))).isEqualTo("this sign-in is unknown, used or expired: start again");
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT action FROM audit_log WHERE action = 'user.login-oidc'")).hasSize(1);
  }

  @Test
  @Order(2)
  void shouldNotLinkAnAccountWhoseOwnerTypedTheEmailIn() {
    // Someone set frank's address on their own account (PUT /auth/profile): frank's sign-in must
    // not land in it, and its owner must not inherit frank's sign-in or groups.
    GatewayTestSupport.query(DATABASE, "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at,"
        + " email_confirmed) VALUES (?, 'frank@example.com', 'Not Frank', '!local', 'user', now(), now(), false)"
        + " RETURNING id", UUID.randomUUID());
    Started started = start(null);
    assertThat(error(callback(provider.signIn(started.location(), "frank", "Frank-Pass-1"), started.browserCookie())))
        .isEqualTo("no Orca account has the email frank@example.com: ask an admin to add you");
    assertThat(GatewayTestSupport.query(DATABASE, "SELECT i.subject FROM user_identities i JOIN users u ON u.id = i.user_id"
        + " WHERE u.email = 'frank@example.com'")).isEmpty();
  }

  @Test
  @Order(2)
  void shouldNotLinkAnAccountByAnUnverifiedEmail() {
    // gina's provider account claims alice's address without having verified it: not alice's account.
    Started started = start(null);
    assertThat(error(callback(provider.signIn(started.location(), "gina", "Gina-Pass-1"), started.browserCookie())))
        .isEqualTo("the provider has not verified your email address alice@example.com");
  }

  @Test
  void shouldGoBackOnlyToAPathOfThisSite() {
    assertThat(OidcLoginController.safeNext("/repositories?sort=name")).isEqualTo("/repositories?sort=name");
    for (String next : new String[] {"//evil.example/x", "/\\evil.example", "https://evil.example", "/a?b=|",
        "/a b", "/x\u0000", "", "repositories"}) {
      assertThat(OidcLoginController.safeNext(next)).as(next).isNull();
    }
  }

  @Test
  @Order(3)
  void shouldRefuseAForgedStateAndAnotherBrowsersSignIn() {
    Started started = start(null);
    URI back = provider.signIn(started.location(), "alice", "Alice-Pass-1");
    URI forged = URI.create(back.toString().replaceAll("state=[^&]+", "state=forged-" + UUID.randomUUID()));
    assertThat(error(callback(forged, started.browserCookie()))).isEqualTo("this sign-in is unknown, used or expired: start again");
    assertThat(error(callback(back, null))).isEqualTo("this sign-in was started in another browser: start again here");
    Started other = start(null);
    URI otherBack = provider.signIn(other.location(), "alice", "Alice-Pass-1");
    assertThat(error(callback(otherBack, started.browserCookie())))
        .isEqualTo("this sign-in was started in another browser: start again here");
    assertThat(error(client().get().uri("/api/v1/auth/oidc/callback?error=access_denied&error_description=no")
        .exchange().expectStatus().isFound().expectBody().returnResult()))
        .isEqualTo("the provider did not sign you in: access_denied (no)");
    assertThat(error(client().get().uri("/api/v1/auth/oidc/callback").exchange().expectStatus().isFound()
        .expectBody().returnResult())).startsWith("the provider's answer has no code or state");
    assertThat(error(client().get().uri("/api/v1/auth/oidc/" + UUID.randomUUID() + "/start").exchange()
        .expectStatus().isFound().expectBody().returnResult())).contains("does not exist");
  }

  @Test
  @Order(3)
  void shouldRefuseIdTokensForAnotherAudienceExpiredOrForAnotherSignIn() {
    for (String[] person : new String[][] {{"mallory", "Mallory-Pass-1", "it was issued for another client (audience)"},
        {"oscar", "Oscar-Pass-1", "it has expired"}, {"nina", "Nina-Pass-1", "it answers another sign-in (nonce)"}}) {
      Started started = start(null);
      EntityExchangeResult<byte[]> answer = callback(provider.signIn(started.location(), person[0], person[1]),
          started.browserCookie());
      assertThat(error(answer)).as(person[0]).isEqualTo("the provider's ID token is not valid: " + person[2]);
      assertThat(answer.getResponseCookies().getFirst("orca_session")).isNull();
    }
  }

  @Test
  @Order(4)
  void shouldCreateAccountsOnlyWhereTheProviderRestrictsWhoMaySignIn() {
    // Without a restriction, a person without an account is not let in.
    Started started = start(null);
    assertThat(error(callback(provider.signIn(started.location(), "carol", "Carol-Pass-1"), started.browserCookie())))
        .isEqualTo("no Orca account has the email carol@example.com: ask an admin to add you");

    admin().put().uri("/api/v1/admin/oidc-providers/" + providerId)
        .bodyValue(Map.of("allowedDomains", List.of("Example.com"), "adminGroups", List.of("orca-admins")))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.allowedDomains[0]").isEqualTo("example.com")
        .jsonPath("$.hasClientSecret").isEqualTo(true);
    String carol = signIn("carol", "Carol-Pass-1");
    client().get().uri("/api/v1/auth/profile").cookie("orca_session", carol).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.email").isEqualTo("carol@example.com").jsonPath("$.role").isEqualTo("admin");

    // Outside the admin groups: a user.
    String hank = signIn("hank", "Hank-Pass-1");
    client().get().uri("/api/v1/auth/profile").cookie("orca_session", hank).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.role").isEqualTo("user");

    Started dave = start(null);
    assertThat(error(callback(provider.signIn(dave.location(), "dave", "Dave-Pass-1"), dave.browserCookie())))
        .isEqualTo("your email address is not in a domain allowed to sign in here");
    Started erin = start(null);
    assertThat(error(callback(provider.signIn(erin.location(), "erin", "Erin-Pass-1"), erin.browserCookie())))
        .isEqualTo("your email address is not in a domain allowed to sign in here");
  }

  @Test
  @Order(5)
  void shouldStopSignInsOfADisabledOrDeletedProvider() {
    admin().put().uri("/api/v1/admin/oidc-providers/" + providerId).bodyValue(Map.of("enabled", false))
        .exchange().expectStatus().isOk();
    client().get().uri("/api/v1/auth/oidc/providers").exchange().expectBody().jsonPath("$.length()").isEqualTo(0);
    assertThat(error(client().get().uri("/api/v1/auth/oidc/" + providerId + "/start").exchange()
        .expectStatus().isFound().expectBody().returnResult())).contains("switched off");
    admin().delete().uri("/api/v1/admin/oidc-providers/" + providerId).exchange().expectStatus().isNoContent();
    admin().get().uri("/api/v1/admin/oidc-providers/" + providerId).exchange().expectStatus().isNotFound();
  }
}
