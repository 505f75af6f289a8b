package dev.orca.gateway.projection;

import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.SecretBox;
import io.r2dbc.spi.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
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
  Projector projector(@Value("${orca.kafka-bootstrap:localhost:9092}") String bootstrapServers, Topics topics,
      ObjectProvider<DatabaseClient> databaseClient, ConnectionFactory connectionFactory, SecretBox secrets) {
    DatabaseClient db = databaseClient.getIfAvailable(() -> DatabaseClient.create(connectionFactory));
    return new Projector(bootstrapServers, topics, db, secrets);
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
