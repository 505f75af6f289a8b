package dev.orca.schemas.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys of the current {@code APP_SECRET}, which seal every new value and compute the blind
 * index, and of the previous ones ({@code ORCA_APP_SECRET_PREVIOUS}), which still open what they
 * sealed while a key rotation re-seals it: reads never stop during a rotation.
 */
public final class KeyRing {

  private final Keys current;
  private final List<Keys> previous;

  private KeyRing(Keys current, List<Keys> previous) {
    this.current = current;
    this.previous = List.copyOf(previous);
  }

  public static KeyRing of(Keys current) {
    return new KeyRing(current, List.of());
  }

  /**
   * {@code appSecret} and the comma- or whitespace-separated {@code previousSecrets} (null or blank
   * for none); a previous secret equal to the current one is left out.
   */
  public static KeyRing fromSecrets(String appSecret, String previousSecrets) {
    Keys current = Keys.fromSecret(appSecret);
    List<Keys> previous = new ArrayList<>();
    if (previousSecrets != null) {
      for (String secret : previousSecrets.split("[,\\s]+")) {
        if (!secret.isBlank() && !secret.equals(appSecret) && previous.stream().noneMatch(k ->
            k.idText().equals(Keys.fromSecret(secret).idText()))) {
          previous.add(Keys.fromSecret(secret));
        }
      }
    }
    List<String> ids = new ArrayList<>();
    ids.add(current.idText());
    for (Keys keys : previous) {
      if (ids.contains(keys.idText())) {
        throw new IllegalArgumentException("two of the secrets have the same key id " + keys.idText()
            + ": give each previous secret once, and none equal to APP_SECRET");
      }
      ids.add(keys.idText());
    }
    return new KeyRing(current, previous);
  }

  public Keys current() {
    return current;
  }

  public List<Keys> previous() {
    return previous;
  }

  /** The keys with this id, or null. */
  Keys byId(byte[] id) {
    if (Arrays.equals(current.id(), id)) {
      return current;
    }
    for (Keys keys : previous) {
      if (Arrays.equals(keys.id(), id)) {
        return keys;
      }
    }
    return null;
  }

  /** Every key, the current one first. */
  List<Keys> all() {
    List<Keys> all = new ArrayList<>();
    all.add(current);
    all.addAll(previous);
    return all;
  }
}
