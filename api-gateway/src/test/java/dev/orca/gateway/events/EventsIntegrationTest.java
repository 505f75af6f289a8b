package dev.orca.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.system.EntityRenderer;
import dev.orca.testsupport.SharedPostgres;
import io.r2dbc.spi.ConnectionFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The SSE endpoint against a running server and a real database: the safety-net poll is
 * effectively off, so live delivery here proves LISTEN/NOTIFY.
 */
@SpringBootTest(classes = EventsIntegrationTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"orca.events.poll-interval=1h", "orca.events.liveness-interval=300ms",
        "orca.events.gap-wait=500ms"})
class EventsIntegrationTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final SharedPostgres.Database DATABASE = SharedPostgres.newDatabase();
  private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};
  /** How often the stand-in renderer rendered each entity id. */
  private static final Map<String, java.util.concurrent.atomic.AtomicInteger> RENDERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    Flyway.configure().dataSource(DATABASE.jdbcUrl(), DATABASE.user(), DATABASE.password()).load().migrate();
    registry.add("spring.r2dbc.url", DATABASE::r2dbcUrl);
    registry.add("spring.r2dbc.username", DATABASE::user);
    registry.add("spring.r2dbc.password", DATABASE::password);
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Autowired
  io.r2dbc.spi.ConnectionFactory connectionFactory;

  private WebTestClient client;
  private String agentId;
  private UUID applicationId;

  @BeforeEach
  void seed() {
    client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(DEADLINE).build();
    agentId = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    UUID repositoryId = UUID.randomUUID();
    applicationId = UUID.randomUUID();
    sql("INSERT INTO agents (id, name, revision, created_at, updated_at) VALUES (?, ?, 1, now(), now())",
        agentId, agentId);
    sql("INSERT INTO repositories (id, name, url, provider, auth_method, sync_type, revision, created_at, updated_at)"
        + " VALUES (?, 'repo', 'http://127.0.0.1/r.git', 'generic', 'none', 'manual', 1, now(), now())", repositoryId);
    sql("INSERT INTO applications (id, name_encrypted, name_hash, repository_id, agent_id, branch, path, revision,"
        + " sync_status, created_at, updated_at) VALUES (?, 'sealed', ?, ?, ?, 'main', 'compose.yaml', 1, 'synced',"
        + " now(), now())", applicationId, applicationId.toString(), repositoryId, agentId);
  }

  @Test
  void shouldPushANotifiedChangeAsAnEventNamedAfterTheEntityAndCarryingItsId() {
    Flux<ServerSentEvent<String>> stream = open(null);

    long seq = appendAndNotify("application", applicationId.toString(), false);

    StepVerifier.create(stream.filter(about(applicationId.toString())).take(1))
        .assertNext(event -> {
          assertThat(event.id()).isEqualTo(Long.toString(seq));
          assertThat(event.event()).isEqualTo("application");
          // The renderer here is a stand-in: what it renders beyond the id is not the feed's behaviour.
          assertThat(event.data()).contains("\"id\":\"" + applicationId + "\"");
        })
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldRenderALiveChangeOnceForAllTheStreamsFollowingIt() {
    String app = applicationId.toString();
    List<Flux<ServerSentEvent<String>>> streams = List.of(open(null), open(null), open(null));

    long seq = appendAndNotify("application", app, false);

    List<ServerSentEvent<String>> received = Flux.merge(streams.stream()
            .map(stream -> stream.filter(about(app)).take(1)).toList())
        .collectList().block(DEADLINE);
    assertThat(received).hasSize(3).allSatisfy(event -> {
      assertThat(event.id()).isEqualTo(Long.toString(seq));
      assertThat(event.data()).isEqualTo(received.get(0).data());
    });
    // One read of the entity for the three streams (this application is new to this test).
    assertThat(RENDERS.get(app)).hasValue(1);
  }

  @Test
  void shouldReplayExactlyTheMissedEventsInOrderWhenAClientResumes() {
    String app = applicationId.toString();
    Flux<ServerSentEvent<String>> first = open(null);
    long seen = appendAndNotify("application", app, false);
    StepVerifier.create(first.filter(about(app)).take(1))
        .assertNext(event -> assertThat(event.id()).isEqualTo(Long.toString(seen)))
        .expectComplete()
        .verify(DEADLINE);

    // Missed while disconnected: a change, the application's deletion, an agent change.
    long missed1 = appendAndNotify("application", app, false);
    sql("DELETE FROM applications WHERE id = ?", applicationId);
    long missed2 = appendAndNotify("application", app, true);
    long missed3 = appendAndNotify("agent", agentId, false);

    Flux<ServerSentEvent<String>> resumed = open(seen);
    StepVerifier.create(resumed.filter(about(app).or(about(agentId))).take(3))
        .assertNext(event -> assertThat(event.id()).isEqualTo(Long.toString(missed1)))
        .assertNext(event -> {
          assertThat(event.id()).isEqualTo(Long.toString(missed2));
          assertThat(event.data()).isEqualTo("{\"id\":\"" + app + "\",\"deleted\":true}");
        })
        .assertNext(event -> {
          assertThat(event.id()).isEqualTo(Long.toString(missed3));
          assertThat(event.event()).isEqualTo("agent");
        })
        .expectComplete()
        .verify(DEADLINE);

    // Replay then live, without a gap or a repeat: the next event after the replay is the new one.
    Flux<ServerSentEvent<String>> again = open(missed1);
    long live = appendAndNotify("agent", agentId, false);
    StepVerifier.create(again.filter(about(app).or(about(agentId))).take(3).map(ServerSentEvent::id))
        .expectNext(Long.toString(missed2), Long.toString(missed3), Long.toString(live))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldTellAClientWhereItsStreamContinuesSoItCanResumeFromThereWithoutHavingSeenAChange() {
    Flux<ServerSentEvent<String>> first = open(null);
    ServerSentEvent<String> position = first.filter(event -> "stream".equals(event.event())).blockFirst(DEADLINE);
    assertThat(position).isNotNull();
    assertThat(position.id()).matches("\\d+");
    assertThat(position.data()).isEqualTo("{\"lastEventId\":\"" + position.id() + "\"}");

    // A change while the client is away; resuming from the position delivers it.
    long missed = appendAndNotify("agent", agentId, false);
    Flux<ServerSentEvent<String>> resumed = open(Long.parseLong(position.id()));
    StepVerifier.create(resumed.filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(missed))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldSendAResetToAClientWhoseMissedEventsAreNoLongerKept() {
    long old = appendAndNotify("agent", agentId, false);
    long pruned = appendAndNotify("agent", agentId, false);
    long kept = appendAndNotify("agent", agentId, false);
    // The window moved past them: the pruner deletes the oldest rows (here by hand, as it would).
    sql("UPDATE events SET at = now() - interval '2 days' WHERE seq <= ?", pruned);
    assertThat(new EventLog(org.springframework.r2dbc.core.DatabaseClient.create(connectionFactory)).prune(Duration.ofDays(1))
        .block(DEADLINE)).isGreaterThanOrEqualTo(2L);

    // Resuming from before the window: a reset first, then where the stream continues, then live.
    Flux<ServerSentEvent<String>> resumed = open(old);
    long live = appendAndNotify("agent", agentId, false);
    StepVerifier.create(resumed.filter(event -> event.event() != null && !event.event().isEmpty()).take(3))
        .assertNext(event -> {
          assertThat(event.event()).isEqualTo("reset");
          assertThat(event.data()).contains("no longer kept");
        })
        .assertNext(event -> assertThat(event.event()).isEqualTo("stream"))
        .assertNext(event -> assertThat(event.id()).isEqualTo(Long.toString(live)))
        .expectComplete()
        .verify(DEADLINE);
    // From inside the window nothing is reset: the missed row is replayed.
    StepVerifier.create(open(kept - 1).filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(kept))
        .expectComplete()
        .verify(DEADLINE);
    // An id from another log altogether (past the newest: a restored database) is reset too.
    StepVerifier.create(open(live + 1_000_000).filter(event -> "reset".equals(event.event())).take(1))
        .expectNextCount(1)
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldNotResetAClientThatComesFromAGatewayFurtherAlong() {
    long seen = appendAndNotify("agent", agentId, false);
    StepVerifier.create(open(seen - 1).filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(seen)).expectComplete().verify(DEADLINE);
    // Rows this gateway has not heard of yet (no notification: it lags), which another gateway sent the client.
    long elsewhere = append("agent", agentId);
    long next = append("agent", agentId);

    Flux<ServerSentEvent<String>> resumed = open(elsewhere);
    notifyOnly(next);
    // No reset: the row after the client's id arrives, once this gateway catches up.
    StepVerifier.create(resumed.filter(event -> event.event() != null && !event.event().isEmpty()).take(2))
        .assertNext(event -> assertThat(event.event()).isEqualTo("stream"))
        .assertNext(event -> assertThat(event.id()).isEqualTo(Long.toString(next)))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldAcceptTheLastEventIdAsAQueryParameter() {
    long before = appendAndNotify("agent", agentId, false);
    long after = appendAndNotify("agent", agentId, false);
    Flux<ServerSentEvent<String>> stream = client.get().uri("/api/v1/events?lastEventId=" + before)
        .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
    StepVerifier.create(stream.filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(after))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldAnnounceAnAgentThatStoppedSendingHeartbeats() {
    String silent = "silent-" + UUID.randomUUID().toString().substring(0, 8);
    Flux<ServerSentEvent<String>> stream = open(null);
    sql("INSERT INTO agents (id, name, revision, heartbeat_interval_seconds, last_seen, created_at, updated_at)"
        + " VALUES (?, ?, 1, 15, now() - interval '1 hour', now(), now())", silent, silent);

    StepVerifier.create(stream.filter(about(silent)).take(1))
        .assertNext(event -> assertThat(event.event()).isEqualTo("agent"))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldListenAgainWhenTheListenConnectionDrops() {
    // The feed connects in the background: wait for this context's LISTEN connection, then kill it.
    Awaitility.await().atMost(DEADLINE).untilAsserted(() -> assertThat(listenPids()).isNotEmpty());
    List<Integer> dropped = listenPids();
    for (int pid : dropped) {
      assertThat(terminate(pid)).as("terminated LISTEN backend %s", pid).isTrue();
    }
    Flux<ServerSentEvent<String>> stream = open(null);

    long seq = appendAndNotify("agent", agentId, false);

    StepVerifier.create(stream.filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(seq))
        .expectComplete()
        .verify(DEADLINE);
    assertThat(listenPids()).as("listening on a new connection").isNotEmpty().doesNotContainAnyElementsOf(dropped);
  }

  @Test
  void shouldDeliverEventsAfterTheGapARolledBackInsertLeaves() throws SQLException {
    Flux<ServerSentEvent<String>> stream = open(null);
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      c.createStatement().execute("INSERT INTO events (entity, entity_id) VALUES ('agent', 'never-committed')");
      c.rollback();
    }

    long seq = appendAndNotify("agent", agentId, false);

    StepVerifier.create(stream.filter(about(agentId)).take(1).map(ServerSentEvent::id))
        .expectNext(Long.toString(seq))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void shouldRefuseAMalformedLastEventId() {
    client.get().uri("/api/v1/events").header("Last-Event-ID", "yesterday").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isBadRequest();
  }

  private Flux<ServerSentEvent<String>> open(Long lastEventId) {
    WebTestClient.RequestHeadersSpec<?> request = client.get().uri("/api/v1/events").accept(MediaType.TEXT_EVENT_STREAM);
    if (lastEventId != null) {
      request = request.header("Last-Event-ID", Long.toString(lastEventId));
    }
    // exchange() returns once the headers arrived, i.e. once the server follows the live feed.
    return request.exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
  }

  private static Predicate<ServerSentEvent<String>> about(String id) {
    return event -> event.event() != null && event.data() != null && event.data().contains("\"id\":\"" + id + "\"");
  }

  /** Appends a row without telling anyone: a gateway hears of it at the next notification or poll. */
  private static long append(String entity, String id) {
    try (Connection c = connect();
         PreparedStatement insert = c.prepareStatement(
             "INSERT INTO events (entity, entity_id, deleted) VALUES (?, ?, false) RETURNING seq")) {
      insert.setString(1, entity);
      insert.setString(2, id);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void notifyOnly(long seq) {
    sql("SELECT pg_notify('orca_events', ?)", Long.toString(seq));
  }

  private static long appendAndNotify(String entity, String id, boolean deleted) {
    try (Connection c = connect();
         PreparedStatement insert = c.prepareStatement(
             "INSERT INTO events (entity, entity_id, deleted) VALUES (?, ?, ?) RETURNING seq")) {
      insert.setString(1, entity);
      insert.setString(2, id);
      insert.setBoolean(3, deleted);
      long seq;
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        seq = rs.getLong(1);
      }
      try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify('orca_events', ?)")) {
        notify.setString(1, Long.toString(seq));
        notify.execute();
      }
      return seq;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Backends of this test's database (other contexts listen on other databases) whose last query was the LISTEN. */
  private static List<Integer> listenPids() {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT pid FROM pg_stat_activity"
        + " WHERE datname = ? AND query ILIKE '%LISTEN%orca_events%' AND pid <> pg_backend_pid()")) {
      s.setString(1, DATABASE.name());
      List<Integer> pids = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
      return pids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean terminate(int pid) {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      s.setInt(1, pid);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sql(String sql, Object... args) {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(DATABASE.jdbcUrl(), DATABASE.user(), DATABASE.password());
  }

  @SpringBootConfiguration
  @ImportAutoConfiguration({PropertyPlaceholderAutoConfiguration.class, R2dbcAutoConfiguration.class,
      JacksonAutoConfiguration.class, CodecsAutoConfiguration.class, WebFluxAutoConfiguration.class,
      HttpHandlerAutoConfiguration.class, NettyReactiveWebServerAutoConfiguration.class})
  @Import({EventsConfiguration.class, EventsController.class})
  static class App {

    /**
     * A stand-in for the gateway's renderer (which needs the whole gateway; ConfigurationEventsIntegrationTest
     * covers it): renders the id from the real row, so an entity that is gone renders empty.
     */
    @Bean
    EntityRenderer entityRenderer(ConnectionFactory connectionFactory) {
      DatabaseClient db = DatabaseClient.create(connectionFactory);
      return (entity, id) -> {
        RENDERS.computeIfAbsent(id, key -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        return render(db, entity, id);
      };
    }

    private static Mono<Object> render(DatabaseClient db, String entity, String id) {
      return switch (entity) {
        case "application" -> db.sql("SELECT id::text AS id FROM applications WHERE id::text = :id")
            .bind("id", id)
            .map(row -> (Object) Map.of("id", row.get("id", String.class)))
            .one();
        case "agent" -> db.sql("SELECT id FROM agents WHERE id = :id")
            .bind("id", id)
            .map(row -> (Object) Map.of("id", row.get("id", String.class)))
            .one();
        default -> Mono.just(Map.of("id", id));
      };
    }
  }
}
