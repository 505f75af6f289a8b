package dev.orca.launcher;

import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Settings for a LocalOrca on the test run's one broker and a database of its own, with topics of its own. */
final class SharedServers {

  private SharedServers() {}

  static LocalSettings settings(Path dataDir, String label) {
    String prefix = label + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    return LocalSettings.external(dataDir, SharedKafka.bootstrapServers(), SharedPostgres.newDatabase().orcaUrl(),
        null, Map.of("ORCA_TOPIC_PREFIX", prefix));
  }
}
