package dev.orca.gateway.dashboard;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Routes GET and HEAD outside {@code /api} to the {@link Dashboard}. A router function rather
 * than a controller like the API's: its predicate keeps {@code /api} out entirely, so unknown API
 * routes still answer 404 (a {@code /**} request mapping would turn a POST to one into a 405),
 * and the fallback to {@code index.html} can never answer for the API.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfiguration {

  @Bean
  RouterFunction<ServerResponse> dashboardRoutes(DashboardProperties properties, ResourceLoader resources) {
    String location = properties.location().endsWith("/") ? properties.location() : properties.location() + "/";
    Dashboard dashboard = new Dashboard(resources.getResource(location));
    return RouterFunctions.route(Dashboard::handles, dashboard::serve);
  }
}
