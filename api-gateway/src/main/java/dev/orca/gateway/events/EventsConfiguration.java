package dev.orca.gateway.events;

import dev.orca.gateway.system.EntityRenderer;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;

/** The shared event feed behind {@link EventsController} and the agent liveness sweeper. */
@Configuration(proxyBeanMethods = false)
public class EventsConfiguration {

  @Bean(initMethod = "start", destroyMethod = "close")
  EventFeed eventFeed(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient,
      ObjectProvider<EntityRenderer> entities, JsonMapper json,
      @Value("${orca.events.poll-interval:2s}") Duration pollInterval,
      @Value("${orca.events.gap-wait:5s}") Duration gapWait) {
    return new EventFeed(connectionFactory, client(connectionFactory, databaseClient), new EventRenderer(entities, json),
        pollInterval, gapWait);
  }

  /**
   * Ends the open event streams before the web server's graceful shutdown waits for requests
   * to finish: an SSE stream never finishes by itself, so without this every stop would wait
   * the whole shutdown timeout.
   */
  @Bean
  SmartLifecycle eventStreamsShutdown(EventFeed feed) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        running = true;
        feed.start(); // again after a stop; a no-op while the feed runs
      }

      @Override
      public void stop() {
        running = false;
        feed.close();
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        // Stops before WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE (DEFAULT_PHASE - 1024).
        return SmartLifecycle.DEFAULT_PHASE;
      }
    };
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  AgentLivenessSweeper agentLivenessSweeper(ConnectionFactory connectionFactory,
      ObjectProvider<DatabaseClient> databaseClient,
      @Value("${orca.events.liveness-interval:5s}") Duration interval) {
    return new AgentLivenessSweeper(client(connectionFactory, databaseClient), interval);
  }

  /**
   * Keeps the events table to a window ({@code orca.events.retention}, a day by default): rows
   * older go, every ten minutes. A client resuming from before the window gets a {@code reset}.
   */
  @Bean(destroyMethod = "dispose")
  reactor.core.Disposable eventPruner(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient,
      @Value("${orca.events.retention:P1D}") Duration retention,
      @Value("${orca.events.prune-interval:PT10M}") Duration every) {
    EventLog log = new EventLog(client(connectionFactory, databaseClient));
    org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(EventLog.class);
    return reactor.core.publisher.Flux.interval(every, every)
        .onBackpressureDrop()
        .concatMap(tick -> log.prune(retention)
            .doOnNext(rows -> {
              if (rows > 0) {
                logger.info("pruned {} events older than {}", rows, retention);
              }
            })
            .onErrorResume(e -> {
              logger.warn("pruning the events failed: {}", e.toString());
              return Mono.empty();
            }), 1)
        .subscribe();
  }

  private static DatabaseClient client(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> provided) {
    return provided.getIfAvailable(() -> DatabaseClient.create(connectionFactory));
  }
}
