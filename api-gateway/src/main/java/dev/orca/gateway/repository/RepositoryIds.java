package dev.orca.gateway.repository;

import dev.orca.gateway.web.ApiException;
import java.util.UUID;

/** A repository id from a path: anything but a UUID names no repository (404, like an unknown one). */
public final class RepositoryIds {

  private RepositoryIds() {}

  public static UUID parse(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw notFound();
    }
  }

  public static ApiException notFound() {
    return ApiException.notFound("repository not found");
  }
}
