package dev.orca.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.auth.AccessRules;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Every route the gateway maps, taken from its own route table, so a route added later cannot be
 * forgotten: without credentials each non-public one answers 401; an ordinary user gets 403 from
 * exactly the admin-only ones ({@link AccessRules}) and reaches every other; an admin reaches all.
 */
class RouteAccessIntegrationTest extends GatewayTestSupport {

  private static final String ADMIN_REQUIRED = "administrator role required";
  private static final String SIGN_IN_REQUIRED = "authentication required";

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  record Route(HttpMethod method, String pattern, String path) {
    String route() {
      return path.substring("/api/v1".length());
    }
  }

  private List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
      for (var pathPattern : info.getPatternsCondition().getPatterns()) {
        String pattern = pathPattern.getPatternString();
        if (!pattern.startsWith("/api/")) {
          continue;
        }
        String path = pattern.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        var methods = info.getMethodsCondition().getMethods();
        for (RequestMethod method : methods.isEmpty() ? List.of(RequestMethod.GET) : methods) {
          routes.add(new Route(HttpMethod.valueOf(method.name()), pattern, path));
        }
      }
    }
    return routes;
  }

  private static int status(WebTestClient client, Route route, StringBuilder error) {
    var spec = client.method(route.method()).uri(route.path());
    FluxExchangeResult<String> result = (route.method().equals(HttpMethod.GET) || route.method().equals(HttpMethod.DELETE)
        ? spec : spec.contentType(MediaType.APPLICATION_JSON).bodyValue("{}"))
        .exchange().returnResult(String.class);
    int status = result.getStatus().value();
    if (status == 401 || status == 403) {
      error.append(result.getResponseBody().take(1).blockFirst(DEADLINE));
    }
    return status;
  }

  @Test
  void shouldProtectEveryRouteOfTheRouteTable() {
    List<Route> routes = routes();
    // The table is read, not empty: the API has well over forty routes.
    assertThat(routes).hasSizeGreaterThan(40);
    assertThat(routes).extracting(Route::pattern).contains("/api/v1/admin/users", "/api/v1/admin/audit-logs",
        "/api/v1/admin/system-info", "/api/v1/applications/{id}/deploy");
    // The public routes, written out: a rule that grows to let another route through fails here.
    assertThat(routes.stream().filter(r -> AccessRules.isPublic(r.method(), r.route()))
        .map(r -> r.method() + " " + r.pattern()).sorted().toList())
        .containsExactly("GET /api/v1/auth/oidc/callback", "GET /api/v1/auth/oidc/providers",
            "GET /api/v1/auth/oidc/{id}/start", "GET /api/v1/auth/setup", "GET /api/v1/health",
            "GET /api/v1/openapi.json", "GET /api/v1/openapi.json.yaml",
            "POST /api/v1/auth/login", "POST /api/v1/auth/register", "POST /api/v1/github-actions",
            "POST /api/v1/webhooks/images/{id}", "POST /api/v1/webhooks/repositories/{id}");
    WebTestClient user = user();
    WebTestClient admin = admin();
    int adminOnly = 0;
    for (Route route : routes) {
      StringBuilder error = new StringBuilder();
      if (AccessRules.isPublic(route.method(), route.route())) {
        // Public: the gateway asks for no sign-in (a webhook or GitHub Actions may still refuse its own proof).
        status(anonymous(), route, error);
        assertThat(error.toString()).as("public %s %s", route.method(), route.pattern()).doesNotContain(SIGN_IN_REQUIRED);
        continue;
      }
      assertThat(status(anonymous(), route, error)).as("%s %s without credentials", route.method(), route.pattern())
          .isEqualTo(401);
      assertThat(error.toString()).contains(SIGN_IN_REQUIRED);
      // What SPEC.md and issue 9 keep for admins: administration, and agents' credentials (handed
      // out when an agent is registered or rotated, revoked when it is deleted).
      boolean administration = route.pattern().startsWith("/api/v1/admin/")
          || route.pattern().startsWith("/api/v1/agents")
              && (route.method().equals(HttpMethod.POST) || route.method().equals(HttpMethod.DELETE));
      assertThat(!administration || AccessRules.adminOnly(route.method(), route.route()))
          .as("%s %s must be admin-only", route.method(), route.pattern()).isTrue();
      error.setLength(0);
      int asUser = status(user, route, error);
      if (AccessRules.adminOnly(route.method(), route.route())) {
        adminOnly++;
        assertThat(asUser).as("%s %s as a user", route.method(), route.pattern()).isEqualTo(403);
        assertThat(error.toString()).contains(ADMIN_REQUIRED);
      } else {
        assertThat(asUser).as("%s %s as a user", route.method(), route.pattern()).isNotEqualTo(401);
        assertThat(error.toString()).as("%s %s as a user", route.method(), route.pattern()).doesNotContain(ADMIN_REQUIRED);
      }
      error.setLength(0);
      int asAdmin = status(admin, route, error);
      assertThat(asAdmin).as("%s %s as the admin", route.method(), route.pattern()).isNotEqualTo(401);
      assertThat(error.toString()).doesNotContain(ADMIN_REQUIRED);
      assertThat(asAdmin).as("%s %s as the admin", route.method(), route.pattern()).isLessThan(500);
      assertThat(asUser).as("%s %s as a user", route.method(), route.pattern()).isLessThan(500);
    }
    assertThat(adminOnly).isGreaterThanOrEqualTo(12);
  }
}
