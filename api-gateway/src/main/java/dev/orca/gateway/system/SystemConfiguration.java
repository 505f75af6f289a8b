package dev.orca.gateway.system;

import dev.orca.gateway.crypto.BlindIndex;
import dev.orca.schemas.Topics;
import dev.orca.schemas.crypto.KeyRing;
import dev.orca.schemas.crypto.Keys;
import dev.orca.schemas.crypto.SecretBox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The topic catalogue and the keys derived from APP_SECRET, shared by every feature. */
@Configuration(proxyBeanMethods = false)
class SystemConfiguration {

  @Bean
  static MigrateBeforeConnecting migrateBeforeConnecting() {
    return new MigrateBeforeConnecting();
  }

  @Bean
  Topics topics(OrcaProperties properties) {
    return new Topics(properties.topicPrefix(), properties.topicPartitions(), properties.topicReplication());
  }

  @Bean
  Keys keys(OrcaProperties properties) {
    return Keys.fromSecret(properties.appSecret());
  }

  /** Seals with the current APP_SECRET's key, opens with it and the previous ones (ORCA_APP_SECRET_PREVIOUS). */
  @Bean
  SecretBox secretBox(OrcaProperties properties) {
    return new SecretBox(KeyRing.fromSecrets(properties.appSecret(), properties.appSecretPrevious()));
  }

  @Bean
  BlindIndex blindIndex(Keys keys) {
    return new BlindIndex(keys);
  }
}
