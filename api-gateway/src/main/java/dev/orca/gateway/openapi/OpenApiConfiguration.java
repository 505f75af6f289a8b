package dev.orca.gateway.openapi;

import dev.orca.gateway.auth.AccessRules;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The OpenAPI 3 description of {@code /api/v1}, served at {@code GET /api/v1/openapi.json}
 * (public): springdoc reads it from the controllers themselves, so no route can be missing from
 * it; who may call each operation comes from the one access table ({@link AccessRules}): public
 * operations carry no security requirement, the others a session cookie or an API token, and
 * admin-only ones say so ({@code x-orca-role: admin}). {@code OpenApiIntegrationTest} holds the
 * description to the routes that answer.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static final String API = "/api/v1";
  static final String SESSION = "session";
  static final String TOKEN = "apiToken";

  @Bean
  OpenAPI orcaOpenApi() {
    String version = OpenApiConfiguration.class.getPackage().getImplementationVersion();
    return new OpenAPI()
        // Relative to where the document was read: never a host taken from some request's headers.
        .servers(List.of(new Server().url("/").description("This Orca")))
        .info(new Info().title("Orca API").version(version == null ? "development" : version)
            .description("GitOps continuous deployment for Docker Compose. Every route needs a session (the"
                + " orca_session cookie from POST /api/v1/auth/login) or an API token (Authorization: Bearer ...,"
                + " from POST /api/v1/auth/tokens), except those without a security requirement. Errors answer"
                + " {\"error\": \"...\"}: 400 invalid, 401 unauthenticated, 403 forbidden, 404, 409 conflict, 413 too"
                + " large, 429 with Retry-After."))
        .components(new Components()
            .addSecuritySchemes(SESSION, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.COOKIE).name("orca_session").description("The session of a signed-in person"))
            .addSecuritySchemes(TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API token (POST /api/v1/auth/tokens)")));
  }

  /**
   * Operation ids a client generator can use: the controller's name and the method's
   * ({@code applicationDeploy}, {@code adminUserList}), instead of springdoc's {@code list_3}.
   */
  @Bean
  OperationCustomizer readableOperationIds() {
    return (operation, handler) -> {
      String controller = handler.getBeanType().getSimpleName().replaceFirst("Controller$", "");
      String method = handler.getMethod().getName();
      operation.setOperationId(Character.toLowerCase(controller.charAt(0)) + controller.substring(1)
          + Character.toUpperCase(method.charAt(0)) + method.substring(1));
      return operation;
    };
  }

  /**
   * One locale for every request, whatever {@code Accept-Language} says: nothing here is
   * localised, and springdoc keeps a document per locale it is asked for, for ever (a stream of
   * made-up locales would fill the heap). Spring Boot steps back for a bean of this name.
   */
  @Bean(name = "localeContextResolver")
  org.springframework.web.server.i18n.LocaleContextResolver localeContextResolver() {
    return new org.springframework.web.server.i18n.FixedLocaleContextResolver(java.util.Locale.ENGLISH);
  }

  /** Each operation's access, from {@link AccessRules}. */
  @Bean
  OpenApiCustomizer accessFromTheRules() {
    return openApi -> {
      if (openApi.getPaths() == null) {
        return;
      }
      openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
        String route = path.startsWith(API) ? path.substring(API.length()) : path;
        HttpMethod httpMethod = HttpMethod.valueOf(method.name());
        if (AccessRules.isPublic(httpMethod, route)) {
          operation.setSecurity(List.of());
          return;
        }
        operation.setSecurity(List.of(new SecurityRequirement().addList(SESSION), new SecurityRequirement().addList(TOKEN)));
        if (AccessRules.adminOnly(httpMethod, route)) {
          operation.addExtension("x-orca-role", "admin");
          operation.setDescription("Admins only." + (operation.getDescription() == null ? ""
              : " " + operation.getDescription()));
        }
      }));
    };
  }
}
