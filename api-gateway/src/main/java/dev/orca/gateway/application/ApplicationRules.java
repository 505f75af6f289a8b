package dev.orca.gateway.application;

import dev.orca.gateway.repository.RepositoryRules;
import dev.orca.gateway.web.ApiException;
import dev.orca.schemas.PolicyRules;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What an application's configuration may be: its name, branch and compose path, and its deploy
 * settings (who may allow a policy rule, how long a readiness timeout may be). Each refusal is an
 * {@link ApiException} naming the field.
 */
final class ApplicationRules {

  private static final Pattern COMPOSE_FILE = Pattern.compile("(?i).+\\.ya?ml");

  private ApplicationRules() {}

  /**
   * The settings a write asks for, each field that is absent ({@code null}) kept from {@code
   * current}. {@code readinessTimeoutSeconds} 0 clears the timeout (the deployment's deadline
   * again); it may not exceed {@code deadlineSeconds}. Only an admin may change which policy rules
   * are allowed.
   */
  static ApplicationStore.Settings settings(Boolean selfHeal, Integer readinessTimeoutSeconds,
      List<String> allowedPolicyRules, ApplicationStore.Settings current, boolean admin, long deadlineSeconds) {
    Integer readiness = current.readinessTimeoutSeconds();
    if (readinessTimeoutSeconds != null) {
      if (readinessTimeoutSeconds < 0 || readinessTimeoutSeconds > deadlineSeconds) {
        throw ApiException.badRequest("readinessTimeoutSeconds must be between 1 and " + deadlineSeconds
            + " (the deployment deadline), or 0 to wait until the deadline");
      }
      readiness = readinessTimeoutSeconds == 0 ? null : readinessTimeoutSeconds;
    }
    List<String> rules = current.allowedPolicyRules();
    if (allowedPolicyRules != null) {
      rules = policyRules(allowedPolicyRules);
      if (!rules.equals(current.allowedPolicyRules()) && !admin) {
        throw ApiException.forbidden("only an admin may change allowedPolicyRules");
      }
    }
    return new ApplicationStore.Settings(selfHeal == null ? current.selfHeal() : selfHeal, readiness, rules,
        current.imagePolling(), current.imagePollIntervalSeconds(), current.removeSupersededImages(),
        current.autoRollback());
  }

  static final int MIN_IMAGE_POLL_SECONDS = 30;
  static final int MAX_IMAGE_POLL_SECONDS = 86_400;
  static final int MIN_SECRET_LENGTH = 16;
  static final int MAX_SECRET_LENGTH = 256;
  static final String SECRET_RULE = "imageWebhookSecret must be " + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH
      + " characters, each a letter, a digit or one of - . _ ~ (they go in a URL unencoded), or empty to remove it";

  /**
   * {@code settings} with the image update settings a write asks for, each absent one kept. The
   * interval is between 30 s (registries limit pulls) and a day.
   */
  static ApplicationStore.Settings imageUpdates(Boolean polling, Integer intervalSeconds, Boolean removeSuperseded,
      ApplicationStore.Settings settings) {
    int interval = settings.imagePollIntervalSeconds();
    if (intervalSeconds != null) {
      if (intervalSeconds < MIN_IMAGE_POLL_SECONDS || intervalSeconds > MAX_IMAGE_POLL_SECONDS) {
        throw ApiException.badRequest("imagePollIntervalSeconds must be between " + MIN_IMAGE_POLL_SECONDS + " and "
            + MAX_IMAGE_POLL_SECONDS);
      }
      interval = intervalSeconds;
    }
    return new ApplicationStore.Settings(settings.selfHeal(), settings.readinessTimeoutSeconds(),
        settings.allowedPolicyRules(), polling == null ? settings.imagePolling() : polling, interval,
        removeSuperseded == null ? settings.removeSupersededImages() : removeSuperseded, settings.autoRollback());
  }

  /**
   * The image webhook secret a write asks for: null keeps the stored one, empty removes it,
   * otherwise 16 to 256 of URL's unreserved characters (ASCII letters, digits, {@code - . _ ~}).
   * Docker Hub sends it in the URL ({@code ?token=}), where {@code +} reads as a space, {@code %}
   * starts an escape and {@code & #} end the value, and other registries in a header: a secret
   * of other characters would then never match.
   */
  static String imageWebhookSecret(String secret) {
    if (secret == null || secret.isEmpty()) {
      return secret;
    }
    if (secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH
        || !secret.chars().allMatch(ApplicationRules::isUnreserved)) {
      throw ApiException.badRequest(SECRET_RULE);
    }
    return secret;
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
  }

  /**
   * A policy exception an admin allowed is for the stack it was allowed for: only an admin may
   * point an application that has one at another repository, branch, compose file or agent (else
   * anyone could run any compose file, privileged, on any host).
   */
  static void exceptionsStayWithTheirStack(ApplicationStore.Settings current, boolean retargeted, boolean admin) {
    if (retargeted && !admin && !current.allowedPolicyRules().isEmpty()) {
      throw ApiException.forbidden("only an admin may change the repository, branch, path or agent of an application"
          + " with allowed policy rules (" + String.join(", ", current.allowedPolicyRules()) + ")");
    }
  }

  /** Known rule ids only, each once, in {@link PolicyRules#ALL}'s order. */
  private static List<String> policyRules(List<String> requested) {
    Set<String> asked = new LinkedHashSet<>();
    for (String rule : requested) {
      if (rule == null || !PolicyRules.ALL.contains(rule)) {
        throw ApiException.badRequest("allowedPolicyRules: " + (rule == null ? "null" : "'" + printable(rule) + "'")
            + " is not a policy rule (one of " + String.join(", ", PolicyRules.ALL) + ")");
      }
      asked.add(rule);
    }
    return PolicyRules.ALL.stream().filter(asked::contains).toList();
  }

  /** At most 40 characters of what the client sent, without control characters. */
  private static String printable(String value) {
    String cleaned = value.replaceAll("\\p{Cntrl}", "?");
    return cleaned.length() > 40 ? cleaned.substring(0, 40) + "…" : cleaned;
  }

  static String name(String value) {
    String name = required(value, "name");
    if (name.length() > 100) {
      throw ApiException.badRequest("name is too long (at most 100 characters)");
    }
    // Format and control characters (bidi overrides, zero-width ones) would let a name show as
    // another; a name of nothing visible names nothing.
    if (name.codePoints().anyMatch(cp -> Character.getType(cp) == Character.FORMAT || Character.isISOControl(cp))) {
      throw ApiException.badRequest("name may not contain invisible or control characters");
    }
    if (dev.orca.gateway.crypto.BlindIndex.normalise(name).isEmpty()) {
      throw ApiException.badRequest("name is required");
    }
    return name;
  }

  static String branch(String value) {
    if (value == null) {
      return "main";
    }
    String branch = value.trim();
    if (!RepositoryRules.isBranchName(branch)) {
      throw ApiException.badRequest("branch is not a valid branch name");
    }
    return branch;
  }

  /** A compose file: a relative {@code .yml} or {@code .yaml} path inside the repository, without {@code ./}. */
  static String path(String value) {
    String path = required(value, "path");
    while (path.startsWith("./")) {
      path = path.substring(2);
    }
    List<String> segments = List.of(path.split("/", -1));
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || segments.contains("..")
        || segments.contains(".") || segments.contains("") || path.chars().anyMatch(c -> c < 0x20)) {
      throw ApiException.badRequest("path must be a relative path inside the repository (like deploy/compose.yaml)");
    }
    if (!COMPOSE_FILE.matcher(path).matches()) {
      throw ApiException.badRequest("path must name a .yml or .yaml compose file");
    }
    return path;
  }

  static UUID reference(String value, String field) {
    try {
      return UUID.fromString(required(value, field));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field + " is not a valid id");
    }
  }

  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    return value.trim();
  }
}
