package dev.orca.gateway.projection;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orca.schemas.Topics;
import org.slf4j.LoggerFactory;

/**
 * Captures the Projector's "cannot project a batch ... will retry" warnings about batches of one
 * test's topics, so a test can wait for batches that really failed instead of sleeping. Other
 * projectors in the same JVM log about other topic prefixes and are not counted.
 */
final class RetryWarnings implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger(Projector.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final String topicPrefix;

  private RetryWarnings(String topicPrefix) {
    this.topicPrefix = topicPrefix;
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing; close it to detach. */
  static RetryWarnings about(Topics topics) {
    return new RetryWarnings(topics.prefix());
  }

  /** How many batches of these topics failed and were scheduled for a retry since capturing started. */
  long count() {
    // ListAppender appends under the appender's own lock (AppenderBase.doAppend is synchronized).
    synchronized (appender) {
      return appender.list.stream()
          .filter(event -> event.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(message -> message.startsWith("cannot project a batch ") && message.contains(" will retry")
              && message.contains(" starting at " + topicPrefix))
          .count();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
