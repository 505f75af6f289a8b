package dev.orca.bench;

/** Does nothing: the start-up bench times a JVM running it as the same-run baseline. */
public final class JvmBaseline {

  private JvmBaseline() {}

  public static void main(String[] args) {}
}
