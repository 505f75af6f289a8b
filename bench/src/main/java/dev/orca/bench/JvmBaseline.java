package dev.orca.bench;

/**
 * Does nothing: the start-up bench times a JVM running it as the same-run baseline. With the
 * argument {@code idle} it waits until its standard input closes, so the deploy bench can read the
 * resident memory of a JVM that loaded nothing of its own.
 */
public final class JvmBaseline {

  private JvmBaseline() {}

  public static void main(String[] args) throws java.io.IOException {
    if (args.length > 0 && args[0].equals("idle")) {
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
