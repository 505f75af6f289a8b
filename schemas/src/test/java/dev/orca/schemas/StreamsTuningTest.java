package dev.orca.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsTuningTest {

  @Test
  void shouldCommitOftenAndRetryATransactionSoonByDefault() {
    Properties props = new Properties();
    StreamsTuning.applyLatency(props, Map.of());
    StreamsConfig config = new StreamsConfig(withRequired(props));

    assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(20L);
    assertThat(config.getProducerConfigs("client").get("retry.backoff.ms")).isEqualTo(10);
  }

  @Test
  void shouldTakeTheCommitIntervalFromTheEnvironmentAndRefuseANonPositiveOne() {
    Properties props = new Properties();
    StreamsTuning.applyLatency(props, Map.of("ORCA_STREAMS_COMMIT_INTERVAL_MS", " 50 "));
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50);

    assertThatThrownBy(() -> StreamsTuning.applyLatency(new Properties(), Map.of("ORCA_STREAMS_COMMIT_INTERVAL_MS", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORCA_STREAMS_COMMIT_INTERVAL_MS must be positive");
  }

  private static Properties withRequired(Properties props) {
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tuning-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    return props;
  }
}
