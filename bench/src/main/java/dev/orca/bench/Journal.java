package dev.orca.bench;

import dev.orca.schemas.Topic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the deploy bench saw, in the order it saw it, each entry stamped with {@link
 * System#nanoTime()} by the thread that read it: the Docker engine's container events ({@code
 * docker events}), the gateway's SSE feed ({@code GET /api/v1/events}) and the agent's events topic.
 * Every source is read as it arrives on its own thread, so one clock times the agent, the API and
 * the plain {@code docker-compose} baseline alike; a wait names what it waits for and has a deadline.
 */
final class Journal {

  /** Where an entry came from. */
  enum Source { DOCKER, SSE, KAFKA }

  /**
   * One observation. DOCKER: {@code kind} is the action (start, die), {@code data} the container's
   * {@code Actor} (its {@code ID} and {@code Attributes}, labels included). SSE: the event's name
   * and its data (the entity as its GET returns it). KAFKA: the record's class, its top-level fields as text.
   */
  record Entry(long nanos, Source source, String kind, JsonNode data) {

    String text(String field) {
      return data.path(field).asString("");
    }

    /** A label of the container a Docker event is about. */
    String label(String name) {
      return data.path("Attributes").path(name).asString("");
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<Entry> entries = new ArrayList<>();

  /** The position after the last entry so far: a wait from here sees only what comes next. */
  synchronized int mark() {
    return entries.size();
  }

  private synchronized void add(Entry entry) {
    entries.add(entry);
    notifyAll();
  }

  /** The first entry from position {@code from} on that matches; fails at the deadline, saying what it waited for. */
  synchronized Entry await(int from, Predicate<Entry> what, Duration deadline, String description)
      throws InterruptedException {
    long giveUp = System.nanoTime() + deadline.toNanos();
    for (int i = from; ; i++) {
      while (i >= entries.size()) {
        long left = giveUp - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("not seen within " + deadline + ": " + description);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      if (what.test(entries.get(i))) {
        return entries.get(i);
      }
    }
  }

  /** Entries from position {@code from} on that match, as they are now. */
  synchronized List<Entry> since(int from, Predicate<Entry> what) {
    return entries.subList(Math.min(from, entries.size()), entries.size()).stream().filter(what).toList();
  }

  /** The last entry that matches, if any. */
  synchronized Optional<Entry> last(Predicate<Entry> what) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (what.test(entries.get(i))) {
        return Optional.of(entries.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Follows {@code docker events} for the start and die of containers carrying {@code label}
   * ({@code name=value}); the CLI prints each event as it gets it from the engine's stream, as the
   * agent's own subscription does. Ready when it returns: the engine has accepted the subscription.
   */
  AutoCloseable followDocker(String label) throws IOException, InterruptedException {
    Process events = new ProcessBuilder("docker", "events", "--filter", "type=container", "--filter",
        "label=" + label, "--filter", "event=start", "--filter", "event=die", "--format", "{{json .}}")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Thread reader = daemon("docker-events", () -> {
      try (BufferedReader lines = reader(events.getInputStream())) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          long seen = System.nanoTime();
          JsonNode event = JSON.readTree(line);
          add(new Entry(seen, Source.DOCKER, event.path("Action").asString(""), event.path("Actor")));
        }
      } catch (IOException e) {
        // the process was stopped
      }
    });
    // The CLI subscribes before it prints anything: give it the time to, then check it is still there.
    Thread.sleep(500);
    if (!events.isAlive()) {
      throw new IllegalStateException("docker events exited with " + events.exitValue() + "; is Docker running?");
    }
    // Not left running if the bench is stopped before it closes this.
    Thread stopOnExit = new Thread(events::destroy, "docker-events-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    return () -> {
      events.destroy();
      events.waitFor(10, TimeUnit.SECONDS);
      reader.join(1_000);
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    };
  }

  /** Follows the gateway's SSE feed with a session cookie, from now on. */
  AutoCloseable followEvents(HttpClient http, String base, String session) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
        .header("Cookie", "orca_session=" + session).header("Accept", "text/event-stream").GET().build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET /api/v1/events answered " + response.statusCode());
    }
    InputStream body = response.body();
    Thread reader = daemon("sse-events", () -> {
      try (BufferedReader lines = reader(body)) {
        String event = null;
        StringBuilder data = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).trim());
          } else if (line.isEmpty()) {
            if (event != null && data.length() > 0) {
              add(new Entry(System.nanoTime(), Source.SSE, event, JSON.readTree(data.toString())));
            }
            event = null;
            data.setLength(0);
          }
        }
      } catch (IOException e) {
        // closed
      }
    });
    return () -> {
      body.close();
      reader.join(1_000);
    };
  }

  /**
   * Follows a topic of Avro records (the agent's commands or events) from its end, as the agent
   * reads it (read_committed), polling every 5 ms as the other benches do.
   */
  <V extends SpecificRecord> AutoCloseable followTopic(String bootstrap, Topic<String, V> topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // What the agent reads: the dispatcher's commands once their transaction commits.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "deploy-bench-" + System.nanoTime());
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic.name()));
    // Joined before the agent writes anything, so no record is missed.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (consumer.assignment().isEmpty()) {
      if (System.nanoTime() > deadline) {
        consumer.close();
        throw new IllegalStateException("no partition of " + topic.name() + " assigned within 30 s");
      }
      consumer.poll(Duration.ofMillis(50));
    }
    Thread reader = daemon("agent-events", () -> {
      try {
        while (true) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
            long seen = System.nanoTime();
            SpecificRecord value = topic.value(r.value());
            add(new Entry(seen, Source.KAFKA, value.getClass().getSimpleName(), fields(value)));
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close();
      }
    });
    return () -> {
      consumer.wakeup();
      reader.join(10_000);
    };
  }

  /** A record's top-level fields as text, which is all a wait needs (ids, success, health). */
  private static JsonNode fields(SpecificRecord record) {
    ObjectNode node = JSON.createObjectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      node.put(field.name(), String.valueOf(record.get(field.pos())));
    }
    return node;
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
