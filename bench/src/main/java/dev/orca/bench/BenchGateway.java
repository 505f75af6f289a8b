package dev.orca.bench;

import dev.orca.gateway.GatewayApplication;
import dev.orca.schemas.Topics;
import dev.orca.testsupport.FreePorts;
import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real api-gateway in this JVM, as the launcher runs it: a database of its own ({@link
 * BenchDatabase}), the shared broker, a topic prefix of its own, on a free loopback port. Its
 * projector and event feed run as in {@code ./orca up}.
 */
final class BenchGateway implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final BenchDatabase database;
  private final String bootstrap;
  private final String base;

  private BenchGateway(ConfigurableApplicationContext context, BenchDatabase database, String bootstrap,
      String base) {
    this.context = context;
    this.database = database;
    this.bootstrap = bootstrap;
    this.base = base;
  }

  /**
   * Starts the broker if this JVM has not yet, the database ({@link BenchDatabase#start}), then the
   * gateway; says how long each took.
   */
  static BenchGateway start(PrintStream out, boolean durable) throws IOException, SQLException {
    long begun = System.nanoTime();
    String bootstrap = SharedKafka.bootstrapServers();
    BenchDatabase database = BenchDatabase.start(durable);
    try {
      out.printf(Locale.ROOT, "Kafka broker and PostgreSQL ready in %.1f s; the gateway's database: %s%n",
          seconds(begun), database.describe());
      int port = FreePorts.next();
      String base = "http://127.0.0.1:" + port;
      Map<String, Object> properties = new LinkedHashMap<>(WebhookIntakeBench.gatewayProperties(bootstrap,
          database.database(), port, base, "bench-" + UUID.randomUUID().toString().substring(0, 8) + "."));
      // Spring must not re-initialise logging: slf4j-simple serves every part of this JVM.
      System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
      long gatewayBegun = System.nanoTime();
      ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
          .properties(properties)
          .registerShutdownHook(false)
          .logStartupInfo(false)
          .run();
      out.printf(Locale.ROOT, "api-gateway listening on %s, started in %.1f s%n", base, seconds(gatewayBegun));
      return new BenchGateway(context, database, bootstrap, base);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  String base() {
    return base;
  }

  String bootstrap() {
    return bootstrap;
  }

  SharedPostgres.Database database() {
    return database.database();
  }

  String describeDatabase() {
    return database.describe();
  }

  Topics topics() {
    return context.getBean(Topics.class);
  }

  <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  @Override
  public void close() throws IOException {
    try {
      context.close();
    } finally {
      database.close();
    }
  }

  static double seconds(long nanoStart) {
    return (System.nanoTime() - nanoStart) / 1e9;
  }
}
