package dev.orca.gateway.events;

import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;

/** The shared event feed behind {@link EventsController} and the agent liveness sweeper. */
@Configuration(proxyBeanMethods = false)
public class EventsConfiguration {

  @Bean(initMethod = "start", destroyMethod = "close")
  EventFeed eventFeed(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient,
      @Value("${orca.events.poll-interval:2s}") Duration pollInterval,
      @Value("${orca.events.gap-wait:5s}") Duration gapWait) {
    return new EventFeed(connectionFactory, client(connectionFactory, databaseClient), pollInterval, gapWait);
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  AgentLivenessSweeper agentLivenessSweeper(ConnectionFactory connectionFactory,
      ObjectProvider<DatabaseClient> databaseClient,
      @Value("${orca.events.liveness-interval:5s}") Duration interval) {
    return new AgentLivenessSweeper(client(connectionFactory, databaseClient), interval);
  }

  private static DatabaseClient client(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> provided) {
    return provided.getIfAvailable(() -> DatabaseClient.create(connectionFactory));
  }
}
