package dev.orca.gateway.projection;

import dev.orca.gateway.kafka.GatewayKafka;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.ConnectionFactory;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;

/** Runs the {@link Projector} in every gateway unless {@code orca.projector.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orca.projector.enabled", havingValue = "true", matchIfMissing = true)
public class ProjectionConfiguration {

  @Bean
  Projector projector(GatewayKafka kafka, Topics topics, ObjectProvider<DatabaseClient> databaseClient,
      ConnectionFactory connectionFactory, SecretBox secrets, io.micrometer.core.instrument.MeterRegistry registry) {
    DatabaseClient db = databaseClient.getIfAvailable(() -> DatabaseClient.create(connectionFactory));
    return new Projector(kafka.client(Map.of()), topics, db, secrets, new ProjectionMetrics(registry));
  }

  @Bean
  SmartLifecycle projectorLifecycle(Projector projector) {
    return new SmartLifecycle() {
      @Override
      public void start() {
        projector.start();
      }

      @Override
      public void stop() {
        projector.close();
      }

      @Override
      public boolean isRunning() {
        return projector.isRunning();
      }
    };
  }
}
