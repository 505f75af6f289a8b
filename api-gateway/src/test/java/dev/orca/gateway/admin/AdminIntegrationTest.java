package dev.orca.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Users managed by an admin, as a team would: roles, the last admin kept, a password reset that
 * ends sessions and must be replaced, idle sessions ending, and every change in the audit log
 * without a secret value.
 */
class AdminIntegrationTest extends GatewayTestSupport {

  private static final String PASSWORD = "Blue-Kettle-Morning-7";

  private String login(String email, String password) {
    return anonymous().post().uri("/api/v1/auth/login").bodyValue(Map.of("email", email, "password", password))
        .exchange().expectStatus().isOk()
        .returnResult(Void.class).getResponseCookies().getFirst("orca_session").getValue();
  }

  private WebTestClient as(String session) {
    return anonymous().mutate().defaultCookie("orca_session", session).build();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> createUser(String email, String role) {
    return admin().post().uri("/api/v1/admin/users")
        .bodyValue(Map.of("email", email, "name", "Person " + role, "password", PASSWORD, "role", role))
        .exchange().expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
  }

  @Test
  void shouldLetUsersOperateButKeepAdministrationForAdmins() {
    String email = "operator-" + UUID.randomUUID() + "@example.com";
    Map<String, Object> created = createUser(email, "user");
    assertThat(created).containsEntry("role", "user").containsEntry("mustChangePassword", false)
        .doesNotContainKey("password").doesNotContainKey("passwordHash");
    WebTestClient user = as(login(email, PASSWORD));

    user.get().uri("/api/v1/applications").exchange().expectStatus().isOk();
    user.get().uri("/api/v1/agents").exchange().expectStatus().isOk();
    for (String path : List.of("/api/v1/admin/users", "/api/v1/admin/audit-logs", "/api/v1/admin/system-info",
        "/api/v1/admin/users/" + created.get("id"))) {
      user.get().uri(path).exchange().expectStatus().isForbidden()
          .expectBody().jsonPath("$.error").isEqualTo("administrator role required");
    }
    user.post().uri("/api/v1/agents").bodyValue(Map.of("name", "not-mine")).exchange().expectStatus().isForbidden();
    user.post().uri("/api/v1/agents/local/rotate-token").exchange().expectStatus().isForbidden();
    user.delete().uri("/api/v1/agents/local").exchange().expectStatus().isForbidden();
    user.post().uri("/api/v1/admin/users")
        .bodyValue(Map.of("email", "x@example.com", "name", "X", "password", PASSWORD, "role", "admin"))
        .exchange().expectStatus().isForbidden();

    // Promoted, the same session may administer at once: the role is read on every request.
    admin().put().uri("/api/v1/admin/users/" + created.get("id")).bodyValue(Map.of("role", "admin"))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.role").isEqualTo("admin");
    user.get().uri("/api/v1/admin/users").exchange().expectStatus().isOk();
    admin().delete().uri("/api/v1/admin/users/" + created.get("id")).exchange().expectStatus().isNoContent();
    user.get().uri("/api/v1/applications").exchange().expectStatus().isUnauthorized();
    admin().get().uri("/api/v1/admin/users/" + created.get("id")).exchange().expectStatus().isNotFound();
  }

  @Test
  void shouldRefuseBadUsers() {
    String email = "dup-" + UUID.randomUUID() + "@example.com";
    createUser(email, "user");
    admin().post().uri("/api/v1/admin/users")
        .bodyValue(Map.of("email", email.toUpperCase(), "name", "Dup", "password", PASSWORD, "role", "user"))
        .exchange().expectStatus().isEqualTo(409);
    admin().post().uri("/api/v1/admin/users")
        .bodyValue(Map.of("email", "weak@example.com", "name", "Weak", "password", "short", "role", "user"))
        .exchange().expectStatus().isBadRequest();
    admin().post().uri("/api/v1/admin/users")
        .bodyValue(Map.of("email", "role@example.com", "name", "Role", "password", PASSWORD, "role", "root"))
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").isEqualTo("role must be admin or user");
    admin().put().uri("/api/v1/admin/users/not-a-uuid").bodyValue(Map.of("name", "x")).exchange().expectStatus().isNotFound();
    admin().delete().uri("/api/v1/admin/users/" + UUID.randomUUID()).exchange().expectStatus().isNotFound();
  }

  @Test
  void shouldNeverLeaveNoAdmin() {
    String adminId = (String) single("SELECT id::text AS id FROM users WHERE email = ?", ADMIN_EMAIL).get("id");
    // Other admins may exist from other tests: make this one the only admin for the check.
    List<Map<String, Object>> others = query("SELECT id::text AS id FROM users WHERE role = 'admin' AND email <> ?",
        ADMIN_EMAIL);
    for (Map<String, Object> other : others) {
      admin().put().uri("/api/v1/admin/users/" + other.get("id")).bodyValue(Map.of("role", "user"))
          .exchange().expectStatus().isOk();
    }
    admin().put().uri("/api/v1/admin/users/" + adminId).bodyValue(Map.of("role", "user"))
        .exchange().expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("the last admin cannot be demoted or deleted: make another user admin first");
    admin().delete().uri("/api/v1/admin/users/" + adminId).exchange().expectStatus().isEqualTo(409);
    assertThat(single("SELECT role FROM users WHERE email = ?", ADMIN_EMAIL)).containsEntry("role", "admin");

    Map<String, Object> second = createUser("second-admin-" + UUID.randomUUID() + "@example.com", "admin");
    admin().put().uri("/api/v1/admin/users/" + second.get("id")).bodyValue(Map.of("role", "user"))
        .exchange().expectStatus().isOk();
    admin().delete().uri("/api/v1/admin/users/" + second.get("id")).exchange().expectStatus().isNoContent();
  }

  @Test
  void shouldEndSessionsAndAskForANewPasswordAfterAnAdminReset() {
    String email = "reset-" + UUID.randomUUID() + "@example.com";
    Map<String, Object> created = createUser(email, "user");
    String before = login(email, PASSWORD);
    @SuppressWarnings("unchecked")
    String token = (String) as(before).post().uri("/api/v1/auth/tokens").bodyValue(Map.of("name", "script"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("token");
    String newPassword = "Admin-Chosen-Pass-91";
    admin().put().uri("/api/v1/admin/users/" + created.get("id")).bodyValue(Map.of("password", newPassword))
        .exchange().expectStatus().isOk().expectBody().jsonPath("$.mustChangePassword").isEqualTo(true);

    as(before).get().uri("/api/v1/auth/profile").exchange().expectStatus().isUnauthorized();
    // Its API tokens end too: the reset may be because the account was taken over.
    anonymous().get().uri("/api/v1/auth/profile").header("Authorization", "Bearer " + token).exchange()
        .expectStatus().isUnauthorized();
    WebTestClient user = as(login(email, newPassword));
    user.get().uri("/api/v1/auth/profile").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.mustChangePassword").isEqualTo(true);
    user.get().uri("/api/v1/applications").exchange().expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).startsWith("password change required"));
    user.post().uri("/api/v1/auth/change-password")
        .bodyValue(Map.of("currentPassword", newPassword, "newPassword", "Own-Secret-Phrase-33"))
        .exchange().expectStatus().isNoContent();
    user.get().uri("/api/v1/applications").exchange().expectStatus().isOk();
    user.get().uri("/api/v1/auth/profile").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.mustChangePassword").isEqualTo(false);
  }

  @Test
  void shouldResetAPasswordFromTheCommandLineToOneThatMustBeReplaced() throws Exception {
    String email = "forgot-" + UUID.randomUUID() + "@example.com";
    Map<String, Object> created = createUser(email, "admin");
    String before = login(email, PASSWORD);

    String password;
    try (java.sql.Connection connection = connection()) {
      password = dev.orca.gateway.auth.PasswordReset.reset(connection, email.toUpperCase());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.orca.gateway.auth.PasswordReset.reset(connection,
          "nobody@example.com")).hasMessage("no user has the email nobody@example.com");
    }
    assertThat(password).hasSize(20);
    as(before).get().uri("/api/v1/auth/profile").exchange().expectStatus().isUnauthorized();
    anonymous().post().uri("/api/v1/auth/login").bodyValue(Map.of("email", email, "password", PASSWORD))
        .exchange().expectStatus().isUnauthorized();
    WebTestClient user = as(login(email, password));
    user.get().uri("/api/v1/auth/profile").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.mustChangePassword").isEqualTo(true);
    user.get().uri("/api/v1/admin/users").exchange().expectStatus().isForbidden();
    assertThat(single("SELECT actor_type, action FROM audit_log WHERE entity_id = ? AND action = 'user.reset-password'",
        created.get("id"))).containsEntry("actor_type", "cli");
    admin().delete().uri("/api/v1/admin/users/" + created.get("id")).exchange().expectStatus().isNoContent();
  }

  @Test
  void shouldEndASessionLeftIdle() {
    String email = "idle-" + UUID.randomUUID() + "@example.com";
    createUser(email, "user");
    String session = login(email, PASSWORD);
    as(session).get().uri("/api/v1/auth/profile").exchange().expectStatus().isOk();
    // Unused for longer than the idle timeout (12 h by default); its absolute lifetime is not over.
    update("UPDATE sessions SET last_seen_at = now() - interval '13 hours' WHERE user_id ="
        + " (SELECT id FROM users WHERE email = ?)", email);
    as(session).get().uri("/api/v1/auth/profile").exchange().expectStatus().isUnauthorized();

    String fresh = login(email, PASSWORD);
    update("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id ="
        + " (SELECT id FROM users WHERE email = ?)", email);
    as(fresh).get().uri("/api/v1/auth/profile").exchange().expectStatus().isUnauthorized();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldAuditEveryChangeWithoutSecretValues() {
    String email = "audited-" + UUID.randomUUID() + "@example.com";
    Map<String, Object> created = createUser(email, "user");
    String token = "ghp_audit" + UUID.randomUUID().toString().replace("-", "");
    Map<String, Object> repository = admin().post().uri("/api/v1/repositories")
        .bodyValue(Map.of("name", "audited-" + UUID.randomUUID(), "url", "https://github.com/acme/audited.git",
            "provider", "github", "authMethod", "token", "token", token, "syncType", "manual"))
        .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    admin().post().uri("/api/v1/repositories").bodyValue(Map.of("name", "")).exchange().expectStatus().isBadRequest();

    String all = admin().get().uri("/api/v1/admin/audit-logs?limit=500").exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(all).doesNotContain(PASSWORD).doesNotContain(token).doesNotContain(ADMIN_PASSWORD);

    List<Map<String, Object>> users = admin().get().uri("/api/v1/admin/audit-logs?entityType=user&entityId=" + created.get("id"))
        .exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult().getResponseBody()
        .stream().map(e -> (Map<String, Object>) e).toList();
    assertThat(users).hasSize(1);
    Map<String, Object> entry = users.get(0);
    assertThat(entry).containsEntry("action", "user.create").containsEntry("status", 201)
        .containsEntry("address", "127.0.0.1").containsKey("at");
    assertThat((Map<String, Object>) entry.get("actor")).containsEntry("type", "user").containsEntry("name", ADMIN_EMAIL);
    assertThat((Map<String, Object>) entry.get("changes")).containsEntry("email", email).containsEntry("password", "***")
        .containsEntry("role", "user");

    List<Map<String, Object>> repositories = admin().get()
        .uri("/api/v1/admin/audit-logs?entityType=repository&entityId=" + repository.get("id"))
        .exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult().getResponseBody()
        .stream().map(e -> (Map<String, Object>) e).toList();
    assertThat(repositories).as("the repository's entries; the newest of the log: %s", all.length() > 3000
        ? all.substring(0, 3000) : all).extracting(e -> e.get("action")).containsExactly("repository.create");
    assertThat((Map<String, Object>) repositories.get(0).get("changes")).containsEntry("token", "***")
        .containsEntry("url", "https://github.com/acme/audited.git");

    // Newest first, paged by id.
    List<Map<String, Object>> page = admin().get().uri("/api/v1/admin/audit-logs?limit=2").exchange().expectStatus().isOk()
        .expectBodyList(Map.class).returnResult().getResponseBody().stream().map(e -> (Map<String, Object>) e).toList();
    assertThat(page).hasSize(2);
    long first = ((Number) page.get(0).get("id")).longValue();
    long second = ((Number) page.get(1).get("id")).longValue();
    assertThat(first).isGreaterThan(second);
    List<Map<String, Object>> next = admin().get().uri("/api/v1/admin/audit-logs?limit=1&before=" + second)
        .exchange().expectStatus().isOk().expectBodyList(Map.class).returnResult().getResponseBody()
        .stream().map(e -> (Map<String, Object>) e).toList();
    assertThat(((Number) next.get(0).get("id")).longValue()).isLessThan(second);
    admin().get().uri("/api/v1/admin/audit-logs?limit=0").exchange().expectStatus().isBadRequest();
    admin().get().uri("/api/v1/admin/audit-logs?before=x").exchange().expectStatus().isBadRequest();
  }

  @Test
  void shouldDescribeTheSystemWithoutSecrets() {
    admin().get().uri("/api/v1/admin/system-info").exchange().expectStatus().isOk()
        .expectBody()
        .jsonPath("$.runtime.javaVersion").isNotEmpty()
        .jsonPath("$.database").value(db -> assertThat((String) db).startsWith("PostgreSQL "))
        .jsonPath("$.counts.users").value(n -> assertThat(((Number) n).longValue()).isPositive())
        .jsonPath("$.config.topicPrefix").isEqualTo(PREFIX);
    String text = admin().get().uri("/api/v1/admin/system-info").exchange()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(text).doesNotContain(APP_SECRET).doesNotContainIgnoringCase("password");
  }
}
