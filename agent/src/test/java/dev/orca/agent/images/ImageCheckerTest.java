package dev.orca.agent.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.agent.compose.ComposeRuntime;
import dev.orca.agent.compose.Container;
import dev.orca.agent.compose.DeployOptions;
import dev.orca.agent.compose.DeployOutcome;
import dev.orca.agent.compose.EngineStatus;
import dev.orca.agent.compose.RemoveOutcome;
import dev.orca.agent.events.PublishException;
import dev.orca.schemas.avro.ImageUpdateFound;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ImageCheckerTest {

  private Instant now = Instant.parse("2026-12-02T10:00:00Z");
  private final Map<String, ImageChecker.Subject> subjects = new HashMap<>();
  private final Map<String, List<String>> updates = new HashMap<>();
  private final List<String> checked = new ArrayList<>();
  private final List<SpecificRecord> published = new ArrayList<>();
  private boolean brokerDown;
  /** Runs while a check pulls (a deployment that starts meanwhile). */
  private Runnable duringPull = () -> {};
  private final ImageChecker checker = new ImageChecker(new Runtime(), id -> Optional.ofNullable(subjects.get(id)),
      (key, value) -> {
        if (brokerDown) {
          throw new PublishException("broker down", null);
        }
        published.add(value);
      }, new Clock() {
        @Override
        public Instant instant() {
          return now;
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      });

  @Test
  void shouldCheckEachApplicationOnItsIntervalAndReportAFindingOnce() {
    subjects.put("app-1", new ImageChecker.Subject("dep-1", "p1", Duration.ofSeconds(60)));
    subjects.put("app-2", new ImageChecker.Subject("dep-2", "p2", Duration.ofSeconds(300)));
    updates.put("app-1", List.of("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb"));

    checker.run();
    assertThat(checked).as("its deployment has just pulled: the first check waits an interval").isEmpty();
    now = now.plusSeconds(61);
    checker.run();
    assertThat(checked).containsExactly("app-1");
    assertThat(published).singleElement().isInstanceOfSatisfying(ImageUpdateFound.class, found -> {
      assertThat(found.getApplicationId()).isEqualTo("app-1");
      assertThat(found.getDeploymentId()).isEqualTo("dep-1");
      assertThat(found.getServices()).containsExactly("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb");
    });

    now = now.plusSeconds(61);
    checker.run();
    assertThat(checked).containsExactly("app-1", "app-1");
    assertThat(published).as("the same finding for the same deployment is not repeated").hasSize(1);

    // A new deployment (the update failed, or another came) is a new finding.
    subjects.put("app-1", new ImageChecker.Subject("dep-3", "p1", Duration.ofSeconds(60)));
    now = now.plusSeconds(61);
    checker.run();
    assertThat(published).hasSize(2);
    now = now.plusSeconds(300);
    checker.run();
    assertThat(checked).contains("app-2");
  }

  @Test
  void shouldSkipApplicationsWithoutChecksAndSayAgainWhatCouldNotBeSent() {
    subjects.put("app-1", new ImageChecker.Subject("dep-1", "p1", Duration.ofSeconds(30)));
    updates.put("app-1", List.of("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb"));
    checker.run();
    brokerDown = true;
    now = now.plusSeconds(31);
    checker.run();
    assertThat(published).isEmpty();
    brokerDown = false;
    now = now.plusSeconds(31);
    checker.run();
    assertThat(published).hasSize(1);

    subjects.remove("app-1");
    now = now.plusSeconds(31);
    checker.run();
    assertThat(checked).hasSize(2);
  }

  @Test
  void shouldDropAFindingWhenADeploymentStartedOrEndedWhileItPulled() {
    subjects.put("app-1", new ImageChecker.Subject("dep-1", "p1", Duration.ofSeconds(30)));
    updates.put("app-1", List.of("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb"));
    checker.run();
    now = now.plusSeconds(31);
    duringPull = () -> subjects.remove("app-1"); // a command is queued: the lane is busy
    checker.run();
    assertThat(checked).containsExactly("app-1");
    assertThat(published).isEmpty();

    subjects.put("app-1", new ImageChecker.Subject("dep-1", "p1", Duration.ofSeconds(30)));
    now = now.plusSeconds(31);
    duringPull = () -> subjects.put("app-1", new ImageChecker.Subject("dep-2", "p1", Duration.ofSeconds(30)));
    checker.run();
    assertThat(published).as("dep-2 has pulled for itself").isEmpty();

    now = now.plusSeconds(31);
    duringPull = () -> {};
    checker.run();
    assertThat(published).singleElement().isInstanceOfSatisfying(ImageUpdateFound.class,
        found -> assertThat(found.getDeploymentId()).isEqualTo("dep-2"));
  }

  @Test
  void shouldReportTheSameFindingAgainAfterACheckFoundTheStackUpToDate() {
    subjects.put("app-1", new ImageChecker.Subject("dep-1", "p1", Duration.ofSeconds(30)));
    updates.put("app-1", List.of("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb"));
    checker.run();
    now = now.plusSeconds(31);
    checker.run();
    assertThat(published).hasSize(1);

    // The tag went back to what runs (a registry roll-back), then forward again.
    updates.put("app-1", List.of());
    now = now.plusSeconds(31);
    checker.run();
    updates.put("app-1", List.of("web: acme/web:1 aaaaaaaaaaaa → bbbbbbbbbbbb"));
    now = now.plusSeconds(31);
    checker.run();
    assertThat(published).hasSize(2);
  }

  private final class Runtime implements ComposeRuntime {

    @Override
    public EngineStatus status() {
      return new EngineStatus(true, "27.0", "docker compose", "2.27.0", null);
    }

    @Override
    public DeployOutcome deploy(String applicationId, String project, String compose, Map<String, byte[]> files,
        String dotEnv, Instant deadline, DeployOptions options) {
      throw new UnsupportedOperationException();
    }

    @Override
    public RemoveOutcome remove(String applicationId, String project, Instant deadline) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Map<String, List<Container>>> observe() {
      Map<String, List<Container>> all = new HashMap<>();
      all.put("app-1", List.of());
      all.put("app-2", List.of());
      all.put("app-3", List.of());
      return Optional.of(all);
    }

    @Override
    public Optional<List<String>> imageUpdates(String applicationId, String project, Instant deadline) {
      checked.add(applicationId);
      duringPull.run();
      return Optional.of(updates.getOrDefault(applicationId, List.of()));
    }

    @Override
    public void close() {}
  }
}
