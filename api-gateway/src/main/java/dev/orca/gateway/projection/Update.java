package dev.orca.gateway.projection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * An UPDATE of only the columns an event carries. Column names and expressions are constants
 * of this package, never input; values are always bound.
 */
final class Update {

  private final List<String> assignments = new ArrayList<>();
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, Class<?>> nulls = new LinkedHashMap<>();

  void set(String column, Object value) {
    String param = "p" + (values.size() + nulls.size());
    assignments.add(column + " = :" + param);
    if (value == null) {
      nulls.put(param, String.class);
    } else {
      values.put(param, value);
    }
  }

  void setExpression(String column, String expression) {
    assignments.add(column + " = " + expression);
  }

  /** Binds a named parameter an expression of {@link #setExpression} uses. */
  void bindValue(String param, Object value) {
    bindValue(param, value, value.getClass());
  }

  void bindValue(String param, Object value, Class<?> type) {
    if (value == null) {
      nulls.put(param, type);
    } else {
      values.put(param, value);
    }
  }

  Mono<Long> execute(DatabaseClient db, String table, String idColumn, Object id) {
    var spec = db.sql("UPDATE " + table + " SET " + String.join(", ", assignments)
        + " WHERE " + idColumn + " = :id").bind("id", id);
    for (var value : values.entrySet()) {
      spec = spec.bind(value.getKey(), value.getValue());
    }
    for (var value : nulls.entrySet()) {
      spec = spec.bindNull(value.getKey(), value.getValue());
    }
    return spec.fetch().rowsUpdated();
  }
}
