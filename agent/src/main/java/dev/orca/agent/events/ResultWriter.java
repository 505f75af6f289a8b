package dev.orca.agent.events;

import org.apache.avro.specific.SpecificRecord;

/**
 * Where the command loop writes a command's result: synchronously, so the command's offset is
 * committed only after the broker acknowledged it. {@link EventPublisher} is the real one.
 */
public interface ResultWriter {

  /** Writes and waits for the acknowledgement; throws {@link PublishException} otherwise. */
  void publish(String key, SpecificRecord value);
}
