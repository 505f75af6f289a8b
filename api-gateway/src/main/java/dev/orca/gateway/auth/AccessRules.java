package dev.orca.gateway.auth;

import java.util.regex.Pattern;
import org.springframework.http.HttpMethod;

/**
 * Who may call which route of {@code /api/v1}, in one place (routes as seen below
 * {@code /api/v1}): the public routes, the admin-only ones (users, OIDC providers, audit log,
 * system information, and agents' credentials: registering an agent, which hands out its
 * credential, rotating it, and deleting the agent, which revokes it), and what a user whose
 * password an admin reset may still do. Everything else needs any
 * signed-in user. {@code RouteAccessIntegrationTest} walks every mapped route against these.
 */
public final class AccessRules {

  private static final Pattern AGENT = Pattern.compile("/agents/[^/]+");
  private static final Pattern OIDC_START = Pattern.compile("/auth/oidc/[^/]+/start");
  private static final Pattern AGENT_ROTATE = Pattern.compile("/agents/[^/]+/rotate-token");

  private AccessRules() {}

  public static boolean isPublic(HttpMethod method, String route) {
    if (HttpMethod.GET.equals(method)) {
      // The OIDC sign-in: the login page's buttons, the start that sends the browser to the
      // provider, and the callback it comes back to (each checks its own proof: state, browser, code).
      return route.equals("/health") || route.equals("/openapi.json") || route.equals("/openapi.json.yaml")
          || route.equals("/auth/setup")
          || route.equals("/auth/oidc/providers")
          || route.equals("/auth/oidc/callback") || OIDC_START.matcher(route).matches();
    }
    if (HttpMethod.POST.equals(method)) {
      return route.equals("/auth/register") || route.equals("/auth/login") || route.startsWith("/webhooks/")
          || route.equals("/github-actions");
    }
    return false;
  }

  /** The public routes whose answer signs a browser in: a foreign page must not sign it into its account. */
  public static boolean setsSession(HttpMethod method, String route) {
    return HttpMethod.POST.equals(method) && (route.equals("/auth/login") || route.equals("/auth/register"));
  }

  public static boolean adminOnly(HttpMethod method, String route) {
    if (route.equals("/admin") || route.startsWith("/admin/")) {
      return true;
    }
    if (HttpMethod.POST.equals(method)) {
      return route.equals("/agents") || AGENT_ROTATE.matcher(route).matches();
    }
    return HttpMethod.DELETE.equals(method) && AGENT.matcher(route).matches();
  }

  /** What a user must still reach while an admin-set password waits to be replaced. */
  public static boolean allowedBeforePasswordChange(HttpMethod method, String route) {
    return HttpMethod.GET.equals(method) && route.equals("/auth/profile")
        || HttpMethod.POST.equals(method) && (route.equals("/auth/change-password") || route.equals("/auth/logout"));
  }
}
