package dev.orca.schemas;

/**
 * Log levels for a component run alone with slf4j-simple: Orca at info, the Kafka clients'
 * chatter at warn. Call it first in {@code main}, before any logger exists; a level given on
 * the command line ({@code -Dorg.slf4j.simpleLogger...}) wins. Embedders (the launcher) bring
 * their own binding and never call it.
 */
public final class StandaloneLogging {

  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private StandaloneLogging() {}

  public static void configure() {
    setIfAbsent(PREFIX + "defaultLogLevel", "warn");
    setIfAbsent(PREFIX + "log.dev.orca", "info");
    setIfAbsent(PREFIX + "showDateTime", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
