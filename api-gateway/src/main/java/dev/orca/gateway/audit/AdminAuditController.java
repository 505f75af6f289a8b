package dev.orca.gateway.audit;

import dev.orca.gateway.web.ApiException;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/admin/audit-logs}: the audit log, newest first, {@code limit} entries (50,
 * at most 500) older than the entry id {@code before}, filtered by {@code actor} (a user's id or
 * email), {@code action}, {@code entityType} and {@code entityId}.
 */
@RestController
class AdminAuditController {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private final AuditLog audit;
  private final JsonMapper json;

  AdminAuditController(AuditLog audit, JsonMapper json) {
    this.audit = audit;
    this.json = json;
  }

  record ActorJson(String type, String id, String name) {}

  record EntryJson(long id, Instant at, ActorJson actor, String action, String entityType, String entityId,
      JsonNode changes, int status, String address) {}

  @GetMapping("/api/v1/admin/audit-logs")
  Mono<List<EntryJson>> list(@RequestParam(required = false) String limit, @RequestParam(required = false) String before,
      @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
      @RequestParam(required = false) String entityType, @RequestParam(required = false) String entityId) {
    int size = limit == null ? DEFAULT_LIMIT : number(limit, "limit");
    if (size < 1 || size > MAX_LIMIT) {
      throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
    }
    Long cursor;
    try {
      cursor = before == null ? null : Long.parseLong(before.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("before must be an entry id");
    }
    AuditLog.Query query = new AuditLog.Query(blank(actor), blank(action), blank(entityType), blank(entityId), cursor,
        size);
    return audit.page(query)
        .map(e -> new EntryJson(e.id(), e.at(), new ActorJson(e.actor().type(), e.actor().id(), e.actor().name()),
            e.action(), e.entityType(), e.entityId(), changes(e.changes()), e.status(), e.address()))
        .collectList();
  }

  private JsonNode changes(String text) {
    if (text == null) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  private static int number(String value, String name) {
    try {
      return Math.toIntExact(Long.parseLong(value.trim()));
    } catch (NumberFormatException | ArithmeticException e) {
      throw ApiException.badRequest(name + " must be a number");
    }
  }

  private static String blank(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
