package dev.orca.launcher;

import dev.orca.testsupport.SharedKafka;
import dev.orca.testsupport.SharedPostgres;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings for a LocalOrca on the test run's one broker and a database of its own, with topics of its own. */
final class SharedServers {

  private SharedServers() {}

  /**
   * The components use the broker's super-user listener; agents (the local one too) are told to
   * connect as to {@code ./orca up}'s broker: with their own credential, SCRAM over TLS.
   */
  static LocalSettings settings(Path dataDir, String label) {
    String prefix = label + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Map<String, String> env = new HashMap<>(Map.of("ORCA_TOPIC_PREFIX", prefix));
    SharedKafka.broker().ifPresent(broker -> {
      env.put("ORCA_AGENT_KAFKA_BOOTSTRAP", broker.agentsBootstrap());
      env.put("ORCA_AGENT_KAFKA_CA_CERT", broker.tls().caCertificatePem());
    });
    return LocalSettings.external(dataDir, SharedKafka.bootstrapServers(), SharedPostgres.newDatabase().orcaUrl(),
        null, env);
  }
}
