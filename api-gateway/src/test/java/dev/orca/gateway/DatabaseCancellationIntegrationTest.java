package dev.orca.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.testsupport.SharedPostgres;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Work cancelled half-way must leave every pooled connection usable. A client that goes away,
 * a timeout or a {@code take} cancels queries while rows are streaming; r2dbc-postgresql 1.1.1
 * then kept the cancelled exchange at the head of that connection's queue, and the next query
 * on it (a request's authentication, say) waited forever. 1.1.3 drains it. This cancels a few
 * hundred queries of every shape at random points, then asks every connection a question.
 */
class DatabaseCancellationIntegrationTest {

  @Test
  void shouldLeaveNoConnectionStuckAfterCancelledQueries() {
    SharedPostgres.Database database = SharedPostgres.newDatabase();
    for (int round = 0; round < 2; round++) {
      ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(
              ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
                  .option(ConnectionFactoryOptions.USER, database.user())
                  .option(ConnectionFactoryOptions.PASSWORD, database.password()).build()))
          .initialSize(2).maxSize(20).build());
      try {
        DatabaseClient db = DatabaseClient.create(pool);
        db.sql("CREATE TABLE IF NOT EXISTS cancelled (id serial PRIMARY KEY, v int)").then().block();
        TransactionalOperator tx = TransactionalOperator.create(new R2dbcTransactionManager(pool));
        Flux.range(0, 400).flatMap(i -> cancelledSoon(db, tx, i), 60).blockLast(Duration.ofSeconds(60));

        List<String> stuck = new CopyOnWriteArrayList<>();
        Flux.range(0, 300)
            .flatMap(i -> db.sql("SELECT " + i + " AS i").map(row -> row.get("i", Integer.class)).one()
                .timeout(Duration.ofSeconds(10))
                .onErrorResume(e -> {
                  stuck.add("query " + i + ": " + e);
                  return Mono.empty();
                }), 20)
            .blockLast(Duration.ofSeconds(120));
        assertThat(stuck).as("queries that never answered after cancelled ones (round %d)", round).isEmpty();
      } finally {
        pool.dispose();
      }
    }
  }

  /** One of four shapes of work, cancelled by a timeout of a few milliseconds. */
  private static Mono<Object> cancelledSoon(DatabaseClient db, TransactionalOperator tx, int i) {
    Mono<?> work = switch (i % 4) {
      case 0 -> db.sql("SELECT pg_sleep(0.0" + i % 10 + ") AS x").fetch().rowsUpdated();
      case 1 -> db.sql("SELECT generate_series(1, 20000) AS n").map(row -> row.get("n", Integer.class)).all()
          .take(3 + i % 5).collectList();
      case 2 -> tx.transactional(db.sql("INSERT INTO cancelled (v) VALUES (" + i + ")").fetch().rowsUpdated()
          .then(db.sql("SELECT pg_sleep(0.01)").fetch().rowsUpdated())
          .then(db.sql("UPDATE cancelled SET v = v + 1 WHERE v = " + i).fetch().rowsUpdated()));
      default -> db.sql("SELECT generate_series(1, 5000) AS n").map(row -> row.get("n", Integer.class)).all()
          .collectList();
    };
    return work.<Object>map(result -> result).timeout(Duration.ofMillis(1 + i % 13 * 3))
        .onErrorResume(e -> Mono.empty());
  }
}
