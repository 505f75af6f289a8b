package dev.orca.dispatch.state;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Collects, in order, the messages one input or one punctuation produces. */
public final class Effects {

  private final List<Outbound> outbound = new ArrayList<>();

  public void status(SpecificRecord event) {
    outbound.add(new Outbound(null, event));
  }

  public void command(String agentId, SpecificRecord command) {
    outbound.add(new Outbound(agentId, command));
  }

  public List<Outbound> outbound() {
    return outbound;
  }
}
