package dev.orca.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Work cancelled half-way must leave the gateway's connection pool answering. A client that
 * goes away, a timeout or a {@code take} cancels queries while rows are streaming, and
 * r2dbc-postgresql (1.1.1 often, 1.1.3 rarely) can then keep the cancelled exchange at the head
 * of that connection's queue: the next query on it would wait forever, and with it a request.
 * The pool therefore validates a connection before handing it out and drops one that does not
 * answer (application.yaml). This cancels hundreds of queries of every shape at random points on
 * the gateway's own pool, then asks it 300 questions, each of which must be answered, and makes
 * 200 writes, each of which must be committed: the validation query is ROLLBACK, so a connection
 * handed back inside a cancelled transaction comes out of it before anyone else uses it. Measured:
 * with driver 1.1.1 and no validation it fails every run; with validation it passes, on 1.1.1 too.
 */
class DatabaseCancellationIntegrationTest extends GatewayTestSupport {

  @Autowired
  ConnectionFactory connectionFactory;

  @Test
  void shouldAnswerEveryQueryAfterCancelledOnes() {
    DatabaseClient db = DatabaseClient.create(connectionFactory);
    db.sql("CREATE TABLE IF NOT EXISTS cancellation_probe (id serial PRIMARY KEY, v int)").then().block();
    TransactionalOperator tx = TransactionalOperator.create(new R2dbcTransactionManager(connectionFactory));
    for (int round = 0; round < 3; round++) {
      Flux.range(0, 400).flatMap(i -> cancelledSoon(db, tx, i), 60).blockLast(Duration.ofSeconds(60));

      List<String> unanswered = new CopyOnWriteArrayList<>();
      Flux.range(0, 300)
          .flatMap(i -> db.sql("SELECT " + i + " AS i").map(row -> row.get("i", Integer.class)).one()
              .timeout(Duration.ofSeconds(15))
              .onErrorResume(e -> {
                unanswered.add("query " + i + ": " + e);
                return Mono.empty();
              }), 20)
          .blockLast(Duration.ofSeconds(120));
      assertThat(unanswered).as("queries that never answered after cancelled ones (round %d)", round).isEmpty();

      // And every write through the pool is committed: a connection handed back inside a
      // transaction that was cancelled between BEGIN and COMMIT would swallow them (and hold locks).
      int base = 1_000_000 * (round + 1);
      Flux.range(0, 200)
          .flatMap(i -> db.sql("INSERT INTO cancellation_probe (v) VALUES (" + (base + i) + ")").fetch().rowsUpdated(), 20)
          .blockLast(Duration.ofSeconds(60));
      assertThat(single("SELECT count(*) AS n FROM cancellation_probe WHERE v >= ? AND v < ?", base, base + 200)
          .get("n")).as("writes visible outside the pool (round %d)", round).isEqualTo(200L);
    }
  }

  /** One of four shapes of work, cancelled by a timeout of a few milliseconds. */
  private static Mono<Object> cancelledSoon(DatabaseClient db, TransactionalOperator tx, int i) {
    Mono<?> work = switch (i % 4) {
      case 0 -> db.sql("SELECT pg_sleep(0.0" + i % 10 + ") AS x").fetch().rowsUpdated();
      case 1 -> db.sql("SELECT generate_series(1, 20000) AS n").map(row -> row.get("n", Integer.class)).all()
          .take(3 + i % 5).collectList();
      case 2 -> tx.transactional(db.sql("INSERT INTO cancellation_probe (v) VALUES (" + i + ")").fetch().rowsUpdated()
          .then(db.sql("SELECT pg_sleep(0.01)").fetch().rowsUpdated())
          .then(db.sql("UPDATE cancellation_probe SET v = v + 1 WHERE v = " + i).fetch().rowsUpdated()));
      default -> db.sql("SELECT generate_series(1, 5000) AS n").map(row -> row.get("n", Integer.class)).all()
          .collectList();
    };
    return work.<Object>map(result -> result).timeout(Duration.ofMillis(1 + i % 13 * 3))
        .onErrorResume(e -> Mono.empty());
  }
}
