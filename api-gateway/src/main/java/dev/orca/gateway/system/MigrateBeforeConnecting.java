package dev.orca.gateway.system;

import java.util.Arrays;
import java.util.stream.Stream;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Makes every {@link DatabaseClient} depend on the Flyway migration, so nothing queries the
 * database before the schema exists; Boot orders this for JDBC users only. Not the
 * ConnectionFactory: Boot's script initializer needs that one, which would close a cycle.
 */
final class MigrateBeforeConnecting implements BeanFactoryPostProcessor {

  /** The bean of Boot's {@code FlywayMigrationInitializer}, which migrates when created. */
  static final String FLYWAY_INITIALIZER = "flywayInitializer";

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    // By name: a type lookup here would resolve other initializers' factory methods too early.
    if (!beanFactory.containsBeanDefinition(FLYWAY_INITIALIZER)) {
      return;
    }
    String[] migrations = {FLYWAY_INITIALIZER};
    for (String name : beanFactory.getBeanNamesForType(DatabaseClient.class, false, false)) {
      BeanDefinition definition = beanFactory.getBeanDefinition(name);
      String[] existing = definition.getDependsOn() == null ? new String[0] : definition.getDependsOn();
      definition.setDependsOn(Stream.concat(Arrays.stream(existing), Arrays.stream(migrations)).distinct()
          .toArray(String[]::new));
    }
  }
}
