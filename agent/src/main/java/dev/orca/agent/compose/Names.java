package dev.orca.agent.compose;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the identifiers a command carries before they reach a path or a command line: an
 * application id becomes a directory name and a label value, a project a compose argument.
 */
public final class Names {

  public static final String APPLICATION_LABEL = "orca-cd.application-id";
  public static final String MANAGED_LABEL = "managed_by";
  public static final String MANAGED_VALUE = "orca-cd";

  private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9-]{1,128}");
  private static final Pattern PROJECT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,127}");

  private Names() {}

  public static boolean validApplicationId(String id) {
    return id != null && APPLICATION_ID.matcher(id).matches();
  }

  /** Why the pair is refused, or empty when both are safe to use. */
  public static Optional<String> refusal(String applicationId, String project) {
    if (!validApplicationId(applicationId)) {
      return Optional.of("invalid application id '" + applicationId + "': only letters, digits and '-' are allowed");
    }
    if (project == null || !PROJECT.matcher(project).matches()) {
      return Optional.of("invalid compose project name '" + project
          + "': it must start with a lowercase letter or digit and hold only lowercase letters, digits, '_' and '-'");
    }
    return Optional.empty();
  }
}
