package dev.orca.agent.compose;

/** How one removal ended; {@code error} is null on success. */
public record RemoveOutcome(boolean success, String error) {

  public static RemoveOutcome removed() {
    return new RemoveOutcome(true, null);
  }

  public static RemoveOutcome failed(String error) {
    return new RemoveOutcome(false, error);
  }
}
