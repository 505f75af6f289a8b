package dev.orca.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import dev.orca.gateway.auth.AccessRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * {@code GET /api/v1/openapi.json} against the routes that answer: every route of the API is
 * described and every described operation is a route, each path parameter is declared, and each
 * operation's security says what {@link AccessRules} enforces (public ones none, admin-only ones
 * marked).
 */
@SuppressWarnings("unchecked")
class OpenApiIntegrationTest extends GatewayTestSupport {

  private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
  private static final Pattern VARIABLE = Pattern.compile("\\{([^}:]+)}");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  @Autowired
  org.springdoc.core.service.OpenAPIService openApiService;

  @Test
  void shouldServeOneDocumentWhateverTheClientsLanguageOrHost() throws Exception {
    String first = null;
    for (String language : List.of("en", "de-CH", "en-x-aaaa0001", "en-x-aaaa0002", "zz")) {
      String body = anonymous().get().uri("/api/v1/openapi.json").header("Accept-Language", language)
          .header("Host", "attacker-" + language + ".example").exchange()
          .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
      assertThat(body).doesNotContain("attacker-").contains("\"servers\":[{\"url\":\"/\"");
      if (first == null) {
        first = body;
      }
      assertThat(body).isEqualTo(first);
    }
    // springdoc keeps a document per locale it is asked for: one, so a stream of made-up locales grows nothing.
    java.lang.reflect.Field cache = org.springdoc.core.service.OpenAPIService.class.getDeclaredField("cachedOpenAPI");
    cache.setAccessible(true);
    assertThat((Map<?, ?>) cache.get(openApiService)).hasSize(1);
  }

  @Test
  void shouldDescribeExactlyTheRoutesThatAnswerWithTheirAccess() {
    Map<String, Object> spec = anonymous().get().uri("/api/v1/openapi.json").exchange()
        .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    assertThat((String) spec.get("openapi")).startsWith("3.");
    assertThat((Map<String, Object>) spec.get("info")).containsEntry("title", "Orca API");

    Set<String> documented = new TreeSet<>();
    List<String> operationIds = new ArrayList<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
    paths.forEach((path, item) -> item.forEach((method, value) -> {
      if (!OPERATIONS.contains(method)) {
        return;
      }
      Map<String, Object> operation = (Map<String, Object>) value;
      String route = path.substring("/api/v1".length());
      HttpMethod httpMethod = HttpMethod.valueOf(method.toUpperCase());
      documented.add(httpMethod + " " + path);
      operationIds.add((String) operation.get("operationId"));
      List<Object> security = (List<Object>) operation.get("security");
      if (AccessRules.isPublic(httpMethod, route)) {
        assertThat(security).as("%s %s is public", httpMethod, path).isEmpty();
      } else {
        assertThat(security).as("%s %s needs a session or a token", httpMethod, path).hasSize(2);
      }
      assertThat(operation.get("x-orca-role")).as("%s %s admin-only", httpMethod, path)
          .isEqualTo(AccessRules.adminOnly(httpMethod, route) ? "admin" : null);
      List<String> declared = new ArrayList<>();
      for (Object parameter : (List<Object>) operation.getOrDefault("parameters", List.of())) {
        Map<String, Object> p = (Map<String, Object>) parameter;
        if ("path".equals(p.get("in"))) {
          declared.add((String) p.get("name"));
        }
      }
      Matcher variables = VARIABLE.matcher(path);
      while (variables.find()) {
        assertThat(declared).as("%s %s declares its path parameter", httpMethod, path).contains(variables.group(1));
      }
    }));

    Set<String> routes = new TreeSet<>();
    for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
      for (var pattern : info.getPatternsCondition().getPatterns()) {
        String path = pattern.getPatternString();
        // The description's own endpoints describe the API; they are not part of it.
        if (!path.startsWith("/api/v1/") || path.startsWith("/api/v1/openapi.json")) {
          continue;
        }
        var methods = info.getMethodsCondition().getMethods();
        for (RequestMethod method : methods.isEmpty() ? List.of(RequestMethod.GET) : methods) {
          routes.add(method.name() + " " + path);
        }
      }
    }
    assertThat(routes).hasSizeGreaterThan(40);
    // Named after controller and method, once each: what a client generator makes its functions of.
    assertThat(operationIds).doesNotHaveDuplicates().allMatch(id -> id.matches("[a-z][A-Za-z0-9]+"))
        .contains("applicationDeploy");
    assertThat(documented).containsExactlyElementsOf(routes);
  }
}
