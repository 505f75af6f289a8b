package dev.orca.gateway.projection;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** Small helpers shared by the writers: nullable binds, enum names as stored, id parsing. */
final class Sql {

  private Sql() {}

  static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, Object value, Class<?> type) {
    return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
  }

  /** Status columns hold the Avro symbol in lower case: OUT_OF_SYNC is stored as out_of_sync. */
  static String stored(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** Ids of applications and repositories are UUIDs; anything else cannot match a row. */
  static Optional<UUID> uuid(String id) {
    try {
      return Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
  }

  /** An instant never later than now (null means now), so no time can keep an agent alive ahead of itself. */
  static Instant notAfterNow(Instant at) {
    Instant now = Instant.now();
    return at == null || at.isAfter(now) ? now : at;
  }
}
